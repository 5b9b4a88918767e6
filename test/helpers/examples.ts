// Checks every example app gets: its code compiles under its own tsconfig, and its committed generated
// files are what its graphql-codegen config makes from schema/ now.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generate, loadCodegenConfig } from '@graphql-codegen/cli';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `tsc --noEmit` on the example's tsconfig.json and fails with tsc's output. */
export async function assertCompiles(example: string): Promise<void> {
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const run = await promisify(execFile)(process.execPath, [tsc, '-p', join(root, example, 'tsconfig.json'), '--noEmit'], { cwd: root }).then(
    () => ({ code: 0, output: '' }),
    (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, output: error.stdout ?? '' }),
  );
  assert.equal(run.code, 0, run.output);
}

/** Generates from the example's codegen.ts in memory and compares with the committed gql/, file by file and by name. */
export async function assertGeneratedFresh(example: string): Promise<void> {
  const configFile = join(example, 'codegen.ts');
  const { config } = await loadCodegenConfig({ configFilePath: join(root, configFile) });
  const previous = process.cwd();
  process.chdir(root);
  try {
    // generate's declared result widens to `any` (it covers watch mode); without saving it is the file outputs.
    const outputs = (await generate({ ...config, cwd: root, silent: true }, false)) as { filename: string; content: string }[];
    const made = new Map(outputs.map((output) => [relative(root, join(root, output.filename)), output.content]));
    const committed = readdirSync(join(root, example, 'gql')).map((name) => join(example, 'gql', name));
    assert.deepEqual([...made.keys()].sort(), committed.sort());
    for (const [file, content] of made) {
      assert.equal(readFileSync(join(root, file), 'utf8'), content, `${file} is stale: run npm run codegen:example`);
    }
  } finally {
    process.chdir(previous);
  }
}
