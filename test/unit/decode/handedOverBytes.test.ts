import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HandedOverBytes } from '../../../src/decode/handedOverBytes.js';

describe('HandedOverBytes', () => {
  it('collects once every so many bytes handed over, whatever the sizes they come in', () => {
    let collections = 0;
    const handedOver = new HandedOverBytes(100, () => collections++);
    for (const bytes of [40, 40]) handedOver.add(bytes);
    assert.equal(collections, 0);
    handedOver.add(20);
    assert.equal(collections, 1);
    handedOver.add(99);
    assert.equal(collections, 1);
    handedOver.add(250);
    assert.equal(collections, 2, 'one collection for a batch past the bound, however far past');
  });

  it("collects with V8's own collector, and gives this thread's global object no gc to call", () => {
    const before = typeof (globalThis as { gc?: unknown }).gc;
    new HandedOverBytes(1).add(1);
    assert.equal(typeof (globalThis as { gc?: unknown }).gc, before);
  });
});
