import type { Child } from './children.js';
import type { Row } from './report.js';
import { mb } from './report.js';
import { DAY0, DAY_MS, post, rangeQuery } from './setup.js';

export const MEMORY_DAYS = 31;
/** What holds the row back, printed when the goal is missed. */
const HELD_BACK = "held back by the packs every bucket of the range leaves in the cache, and the decode threads' heaps";

/** The upstream the gateway reads: its name for the row, and one window's wire size, known once the range is served. */
export interface MemoryUpstream {
  readonly name: string;
  windowWireBytes(): number;
}

export interface MemoryFigures {
  readonly rssBefore: number;
  readonly peakRss: number;
  readonly rssAfter: number;
  readonly cacheBytes: number;
  readonly calls: number;
  readonly windowWireBytes: number;
  readonly ms: number;
}

/**
 * Scenario 4: a fresh gateway process serves the 31-day range (first: 500 + totalCount) of the busy
 * site, cold. Peak RSS is the kernel's high-water mark (VmHWM), reset just before the query, so the
 * growth is what serving the range cost: the cache it filled and everything held on the way.
 * One window's wire size is the mean body of a day on that upstream.
 */
export async function runMemory(gateway: Child, upstream: MemoryUpstream): Promise<{ figures: MemoryFigures; row: Row }> {
  await post(gateway.url, rangeQuery(DAY0 - DAY_MS, DAY0 - DAY_MS + 3_600_000), 'Bearer memory-warmup');
  const before = await gateway.resetPeak();
  const answer = await post(gateway.url, rangeQuery(DAY0, DAY0 + MEMORY_DAYS * DAY_MS), 'Bearer memory');
  const after = await gateway.memory();
  const windowWireBytes = upstream.windowWireBytes();
  const calls = (answer.body.data as { site: { calls: { totalCount: number } } }).site.calls.totalCount;
  const growth = after.peakRss - before.rss;
  const ratio = growth / windowWireBytes;
  return {
    figures: {
      rssBefore: before.rss,
      peakRss: after.peakRss,
      rssAfter: after.rss,
      cacheBytes: after.cacheBytes - before.cacheBytes,
      calls,
      windowWireBytes,
      ms: answer.ms,
    },
    row: {
      scenario: `memory: ${MEMORY_DAYS}-day range, ${calls} calls, cold, ${upstream.name}`,
      ours: `peak RSS +${mb(growth)}; cache ${((after.cacheBytes - before.cacheBytes) / calls).toFixed(0)} B/call`,
      baseline: `one window's wire JSON ${mb(windowWireBytes)} (${(windowWireBytes / (calls / MEMORY_DAYS)).toFixed(0)} B/call)`,
      ratio,
      goal: '< 4',
      met: ratio < 4,
      note: `peak RSS growth / one window; after GC +${mb(after.rss - before.rss)}, of which the cache ${((after.cacheBytes - before.cacheBytes) / windowWireBytes).toFixed(1)}x a window${ratio < 4 ? '' : `; ${HELD_BACK}`}`,
    },
  };
}
