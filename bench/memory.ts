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
  /** Every run's peak growth in windows, ascending (the row's figures are the median run's). */
  readonly runRatios?: readonly number[];
}

/** Fresh processes per row: peak RSS moves by 2 windows between runs of the same code, as GC and allocator timing fall. */
const RUNS = 5;

/**
 * Scenario 4: a fresh gateway process serves the 31-day range (first: 500 + totalCount) of the busy
 * site, cold. Peak RSS is the kernel's high-water mark (VmHWM), reset just before the query, so the
 * growth is what serving the range cost: the cache it filled and everything held on the way.
 * One window's wire size is the mean body of a day on that upstream. The row is the median of RUNS
 * fresh processes, with the spread in its note, as the cold rows are medians.
 */
export async function runMemory(startGateway: () => Promise<Child>, upstream: MemoryUpstream): Promise<{ figures: MemoryFigures; row: Row }> {
  const runs: MemoryFigures[] = [];
  for (let run = 0; run < RUNS; run++) {
    const gateway = await startGateway();
    try {
      runs.push(await measure(gateway, upstream));
    } finally {
      await gateway.stop();
    }
  }
  const windowsOf = (run: MemoryFigures): number => (run.peakRss - run.rssBefore) / run.windowWireBytes;
  const ratios = runs.map(windowsOf).sort((a, b) => a - b);
  const figures = [...runs].sort((a, b) => windowsOf(a) - windowsOf(b))[Math.floor(RUNS / 2)]!;
  const growth = figures.peakRss - figures.rssBefore;
  const ratio = windowsOf(figures);
  const { calls, windowWireBytes } = figures;
  return {
    figures: { ...figures, runRatios: ratios },
    row: {
      scenario: `memory: ${MEMORY_DAYS}-day range, ${calls} calls, cold, ${upstream.name}`,
      ours: `peak RSS +${mb(growth)}; cache ${(figures.cacheBytes / calls).toFixed(0)} B/call`,
      baseline: `one window's wire JSON ${mb(windowWireBytes)} (${(windowWireBytes / (calls / MEMORY_DAYS)).toFixed(0)} B/call)`,
      ratio,
      goal: '< 4',
      met: ratio < 4,
      note: `peak RSS growth / one window, median of ${RUNS} fresh processes (${ratios.map((each) => each.toFixed(2)).join(', ')}); after GC +${mb(figures.rssAfter - figures.rssBefore)}, of which the cache ${(figures.cacheBytes / windowWireBytes).toFixed(1)}x a window${ratio < 4 ? '' : `; ${HELD_BACK}`}`,
    },
  };
}

/** One fresh process: a warm-up query, the peak reset, then the 31 days. */
async function measure(gateway: Child, upstream: MemoryUpstream): Promise<MemoryFigures> {
  await post(gateway.url, rangeQuery(DAY0 - DAY_MS, DAY0 - DAY_MS + 3_600_000), 'Bearer memory-warmup');
  const before = await gateway.resetPeak();
  const answer = await post(gateway.url, rangeQuery(DAY0, DAY0 + MEMORY_DAYS * DAY_MS), 'Bearer memory');
  const after = await gateway.memory();
  return {
    rssBefore: before.rss,
    peakRss: after.peakRss,
    rssAfter: after.rss,
    cacheBytes: after.cacheBytes - before.cacheBytes,
    calls: (answer.body.data as { site: { calls: { totalCount: number } } }).site.calls.totalCount,
    windowWireBytes: upstream.windowWireBytes(),
    ms: answer.ms,
  };
}
