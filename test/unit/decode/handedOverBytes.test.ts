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

  it("frees young buffers no longer referenced with V8's own collector, and gives this thread's global object no gc", () => {
    const globalGc = typeof (globalThis as { gc?: unknown }).gc;
    // 20 MB of buffers of their own, as socket reads are, let go at once: under V8's own 32 MB trigger.
    for (let i = 0; i < 40; i++) Buffer.alloc(512 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    new HandedOverBytes(1).add(1);
    const freed = before - process.memoryUsage().arrayBuffers;
    assert.ok(freed > 15 * 1024 * 1024, `${(freed / 1024 / 1024).toFixed(1)} MB freed`);
    assert.equal(typeof (globalThis as { gc?: unknown }).gc, globalGc);
  });
});
