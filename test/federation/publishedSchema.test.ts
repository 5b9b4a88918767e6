import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { PUBLISHED_SCHEMA_PATH } from '../../src/tools/printSchema.js';
import { startStack, type Stack } from '../helpers/stack.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('the published subgraph schema (npm run schema:print)', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  it('is, committed, exactly the SDL the running subgraph serves at { _service { sdl } }', async () => {
    const answer = await stack.query('{ _service { sdl } }');
    const served = (answer.body.data as { _service: { sdl: string } })._service.sdl;

    const committed = await readFile(PUBLISHED_SCHEMA_PATH, 'utf8').catch(() => '(missing)');
    assert.ok(committed === `${served}\n`, 'schema/published/livedeflect.graphql is stale: run `npm run schema:print` and commit it');
  });

  it('passes `npm run schema:print -- --check`', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/tools/printSchema.ts', '--check'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });

    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /is up to date/);
  });
});
