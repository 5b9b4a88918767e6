import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createResultStringifier } from '../../../src/errors/stringifyResult.js';
import { captureLog } from '../../helpers/logCapture.js';

describe('writing a result', () => {
  it('writes a result as JSON, as Apollo does', () => {
    const { logger } = captureLog();
    assert.equal(createResultStringifier(logger, new WeakMap())({ data: { a: 1 } }), '{"data":{"a":1}}\n');
  });

  it('writes data already written as JSON from that JSON, the rest around it as JSON.stringify would', () => {
    const { logger } = captureLog();
    const data = { site: { calls: { totalCount: 2 } } };
    const serialized = new WeakMap<object, string>([[data, JSON.stringify(data)]]);
    const result = { errors: undefined, data, extensions: { livedeflect: { upstreamRequests: 0 } } };
    assert.equal(createResultStringifier(logger, serialized)(result), `${JSON.stringify(result)}\n`);
    // The stored text is what is written, not the objects again: a stale text would show.
    serialized.set(data, '{"stored":true}');
    assert.equal(
      createResultStringifier(logger, serialized)(result),
      '{"data":{"stored":true},"extensions":{"livedeflect":{"upstreamRequests":0}}}\n',
    );
  });

  it('answers a result it cannot write (nested past the stack) with a coded error, and logs it', () => {
    const log = captureLog();
    let deep: Record<string, unknown> = {};
    for (let depth = 0; depth < 200_000; depth++) deep = { a: deep };
    const written = JSON.parse(createResultStringifier(log.logger, new WeakMap())({ data: { deep } })) as {
      errors: { message: string; extensions: { code: string } }[];
    };
    assert.equal(written.errors[0]!.extensions.code, 'INTERNAL_SERVER_ERROR');
    assert.match(written.errors[0]!.message, /could not be written/);
    assert.ok(log.records().some((record) => record.msg === 'an answer could not be written as JSON' && record.level === 50));
  });
});
