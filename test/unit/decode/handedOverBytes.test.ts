import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constants, PerformanceObserver } from 'node:perf_hooks';
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

  it("collects the young generation with V8's own collector, and gives this thread's global object no gc", async () => {
    const globalGc = typeof (globalThis as { gc?: unknown }).gc;
    // Each collection as V8 reports it (a PerformanceObserver of 'gc' entries): five asked for, five seen.
    let minor = 0;
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries())
        if ((entry as { detail?: { kind?: number } | null }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minor++;
    });
    observer.observe({ entryTypes: ['gc'] });
    const handedOver = new HandedOverBytes(1);
    for (let i = 0; i < 5; i++) handedOver.add(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    observer.disconnect();
    assert.ok(minor >= 5, `${minor} young-generation collections`);
    assert.equal(typeof (globalThis as { gc?: unknown }).gc, globalGc);
  });
});
