import type { Child } from './children.js';
import type { Row } from './report.js';
import { ms } from './report.js';
import { CONCURRENCY, DAY0, DAY_MS, dayWindows, iso, median, post, SITE } from './setup.js';

const DAYS = 31;
const RUNS = 5;
const FLOOR_RUNS = 3;
const TOKEN = 'Bearer timeline';
/** A contact centre's own clock: hour starts come from Luxon, not from UTC arithmetic. */
const TIME_ZONE = 'Australia/Sydney';

export interface TimelineFigures {
  readonly warmMs: number[];
  readonly floorMs: number[];
  readonly points: number;
  readonly calls: number;
  readonly coldMs: number;
}

/** A dashboard's month chart: every hourly point with the figures a chart draws. */
export function timelineQuery(from: number, to: number): string {
  return `query Timeline { site(id: "${SITE}") { timeline(from: "${iso(from)}", to: "${iso(to)}", interval: HOUR, timeZone: "${TIME_ZONE}") {
    start end stats { totalCalls deflectionRate medianSecondsToConversation byStage { stage count } } } } }`;
}

/**
 * A warm 31-day hourly timeline of the busy site (744 points over ~223,000 calls), against the cold
 * floor of the same 31 days: what any gateway needs just to fetch and JSON.parse them. The range is
 * read once first (filling the bucket cache), then timed RUNS times; the floor runs FLOOR_RUNS times.
 */
export async function runTimeline(gateway: Child, floor: Child, upstreamUrl: string): Promise<{ figures: TimelineFigures; row: Row }> {
  const query = timelineQuery(DAY0, DAY0 + DAYS * DAY_MS);
  const cold = await post(gateway.url, query, TOKEN);
  const points = (cold.body.data as { site: { timeline: { stats: { totalCalls: number } }[] } }).site.timeline;
  const calls = points.reduce((sum, point) => sum + point.stats.totalCalls, 0);
  const warmMs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const answer = await post(gateway.url, query, TOKEN);
    if ((answer.body.extensions?.livedeflect?.upstreamRequests ?? 0) !== 0) throw new Error('the warm timeline went upstream');
    warmMs.push(answer.ms);
  }
  const floorMs: number[] = [];
  const floorRequest = { upstreamUrl, siteId: SITE, windows: dayWindows(DAY0, DAYS), concurrency: CONCURRENCY };
  for (let run = 0; run < FLOOR_RUNS; run++) {
    const floorRun = await floor.floor(floorRequest);
    if (floorRun.calls !== calls) throw new Error(`the timeline counted ${calls} calls, the floor parsed ${floorRun.calls}`);
    floorMs.push(floorRun.ms);
  }
  const ratio = median(warmMs) / median(floorMs);
  return {
    figures: { warmMs, floorMs, points: points.length, calls, coldMs: cold.ms },
    row: {
      scenario: `warm timeline: ${DAYS} days hourly in ${TIME_ZONE}, ${points.length} points, ${calls} calls`,
      ours: ms(median(warmMs)),
      baseline: `cold floor of the same ${DAYS} days ${ms(median(floorMs))}`,
      ratio,
      goal: '< 0.05',
      met: ratio < 0.05,
      note: `median of ${RUNS} warm runs / median of ${FLOOR_RUNS} floor runs; cold first read ${ms(cold.ms)}`,
    },
  };
}
