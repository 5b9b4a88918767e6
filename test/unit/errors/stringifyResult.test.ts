import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createResultStringifier } from '../../../src/errors/stringifyResult.js';
import { captureLog } from '../../helpers/logCapture.js';

describe('writing a result', () => {
  it('writes a result as JSON, as Apollo does', () => {
    const { logger } = captureLog();
    assert.equal(createResultStringifier(logger)({ data: { a: 1 } }), '{"data":{"a":1}}\n');
  });

  it('answers a result it cannot write (nested past the stack) with a coded error, and logs it', () => {
    const log = captureLog();
    let deep: Record<string, unknown> = {};
    for (let depth = 0; depth < 200_000; depth++) deep = { a: deep };
    const written = JSON.parse(createResultStringifier(log.logger)({ data: { deep } })) as {
      errors: { message: string; extensions: { code: string } }[];
    };
    assert.equal(written.errors[0]!.extensions.code, 'INTERNAL_SERVER_ERROR');
    assert.match(written.errors[0]!.message, /could not be written/);
    assert.ok(log.records().some((record) => record.msg === 'an answer could not be written as JSON' && record.level === 50));
  });
});
