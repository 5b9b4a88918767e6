import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createOriginPolicy } from '../../../src/http/originPolicy.js';

const HOST = 'gateway.example.test:4000';

describe('createOriginPolicy (CORS_ORIGINS, for HTTP and WebSocket upgrades)', () => {
  const listed = createOriginPolicy(['https://app.example.test', 'http://localhost:5173']);

  it('admits a request without an Origin header: it was not sent by a page on another origin', () => {
    assert.equal(listed({ host: HOST }), true);
  });

  it('admits exactly the listed origins', () => {
    assert.equal(listed({ host: HOST, origin: 'https://app.example.test' }), true);
    assert.equal(listed({ host: HOST, origin: 'http://localhost:5173' }), true);
    for (const origin of ['http://app.example.test', 'https://app.example.test:8443', 'http://localhost:5174', 'null', 'garbage']) {
      assert.equal(listed({ host: HOST, origin }), false, origin);
    }
  });

  it("admits the gateway's own pages: Sec-Fetch-Site same-origin, or an Origin naming the Host asked", () => {
    assert.equal(listed({ host: HOST, origin: 'http://gateway.example.test:4000' }), true);
    assert.equal(listed({ host: 'Gateway.Example.Test:4000', origin: 'https://gateway.example.test:4000' }), true);
    assert.equal(listed({ host: 'internal:8080', origin: 'https://gateway.example.test', 'sec-fetch-site': 'same-origin' }), true);
    assert.equal(listed({ host: 'internal:8080', origin: 'https://gateway.example.test', 'sec-fetch-site': 'same-site' }), false);
  });

  it('admits every origin with "*", and none but the gateway\'s own with an empty list', () => {
    assert.equal(createOriginPolicy('*')({ host: HOST, origin: 'https://anywhere.example.test' }), true);
    const none = createOriginPolicy([]);
    assert.equal(none({ host: HOST, origin: 'https://app.example.test' }), false);
    assert.equal(none({ host: HOST, origin: `http://${HOST}` }), true);
  });
});
