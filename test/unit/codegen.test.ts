import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { generate, loadCodegenConfig } from '@graphql-codegen/cli';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('generated resolver types', () => {
  it('match what `npm run codegen` makes from schema/ now (run it and commit when this fails)', async () => {
    const { config } = await loadCodegenConfig({ configFilePath: `${root}/codegen.yml` });
    const previous = process.cwd();
    process.chdir(root);
    try {
      const outputs = (await generate({ ...config, cwd: root, silent: true }, false)) as { filename: string; content: string }[];
      assert.ok(outputs.length > 0);
      for (const output of outputs) {
        const committed = readFileSync(`${root}/${output.filename}`, 'utf8');
        assert.equal(committed, output.content, `${output.filename} is stale: run npm run codegen`);
      }
    } finally {
      process.chdir(previous);
    }
  });
});
