/**
 * `npm test`: the whole suite in one command. Type-checks, lints (eslint's promise rules, prettier's format,
 * dependency-cruiser's layer rules, knip's dead-code check), makes sure the GraphiQL bundle exists (the browser test and the
 * gateway's page need it), then runs every test/**\/*.test.ts file with node's
 * test runner. Tests needing a system program skip without it, unless REQUIRE_SYSTEM_DEPS=1 (CI).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.slice(2);

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

if (only.length === 0) {
  run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  run('npx', ['tsc', '-p', 'src/http/graphiql/client', '--noEmit']);
  // The habits that keep the tree as DESIGN.md draws it: promise rules, one format, the layers, no dead code.
  run('npm', ['run', '--silent', 'lint']);
  run('npm', ['run', '--silent', 'format:check']);
  run('npm', ['run', '--silent', 'deps']);
  run('npm', ['run', '--silent', 'knip']);
}
/** The newest modification time of any file below dir (0 for none). */
function newestChange(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const path = join(dir, entry.name);
    return Math.max(newest, entry.isDirectory() ? newestChange(path) : statSync(path).mtimeMs);
  }, 0);
}

// The browser test must run the bundle of the sources as they are, not one left from an older checkout.
const manifest = join(root, 'dist/graphiql/manifest.json');
if (!existsSync(manifest) || statSync(manifest).mtimeMs < newestChange(join(root, 'src/http/graphiql'))) {
  run('npx', ['tsx', 'src/http/graphiql/build.ts']);
}
const files = only.length > 0 ? only : testFiles(join(root, 'test')).sort();
run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', ...files]);
