import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWindowRequest } from '../../../src/simulator/requestValidation.js';

describe('simulator request validation', () => {
  it('accepts the documented body with numbers as strings', () => {
    assert.deepEqual(parseWindowRequest('{"siteId":"25508804","startTime":"1428934391000","endTime":"1428934401000"}'), {
      ok: true,
      request: { siteId: '25508804', startTime: 1428934391000, endTime: 1428934401000 },
    });
  });

  it('accepts JSON numbers too', () => {
    const parsed = parseWindowRequest('{"siteId":25508804,"startTime":1,"endTime":2}');
    assert.deepEqual(parsed, { ok: true, request: { siteId: '25508804', startTime: 1, endTime: 2 } });
  });

  it('rejects a body that is not a JSON object', () => {
    for (const body of ['', 'not json', '[]', 'null', '"x"']) assert.equal(parseWindowRequest(body).ok, false, body);
  });

  it('rejects missing or non-numeric fields and names the field', () => {
    const cases: [string, RegExp][] = [
      ['{"startTime":"1","endTime":"2"}', /siteId/],
      ['{"siteId":"abc","startTime":"1","endTime":"2"}', /siteId/],
      ['{"siteId":"1","startTime":"yesterday","endTime":"2"}', /startTime/],
      ['{"siteId":"1","startTime":"1","endTime":"1.5"}', /endTime/],
      ['{"siteId":"1","startTime":"1","endTime":-2}', /endTime/],
    ];
    for (const [body, field] of cases) {
      const parsed = parseWindowRequest(body);
      assert.ok(!parsed.ok);
      assert.match(parsed.message, field);
    }
  });

  it('rejects an empty or reversed window but keeps the parsed fields for the log', () => {
    for (const body of ['{"siteId":"1","startTime":"5","endTime":"5"}', '{"siteId":"1","startTime":"6","endTime":"5"}']) {
      const parsed = parseWindowRequest(body);
      assert.ok(!parsed.ok);
      assert.match(parsed.message, /less than/);
      assert.equal(parsed.partial.siteId, '1');
    }
  });
});
