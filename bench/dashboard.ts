import { encodeCallId } from '../src/model/callId.js';
import { generateWindow } from '../src/simulator/generator.js';

const HOUR_MS = 3_600_000;
const iso = (time: number): string => new Date(time).toISOString();
const range = (from: number, to: number): string => `from: "${iso(from)}", to: "${iso(to)}"`;

export interface DashboardOptions {
  readonly siteId: string;
  /** UTC midnight of a settled day: every range and call of the dashboard lies in it. */
  readonly day: number;
  readonly now: number;
  readonly callsPerHour: number;
}

/**
 * The fan-out and warm scenarios' operation, as a dashboard would send it: 10 aliased ranges (two
 * hours each, a page of 5 and the count), 50 `Query.call` lookups spread over the day, and 10 of those
 * also nested `call { site { calls } }` over the call's own hour. One day, so one upstream window for
 * a batching gateway, and 70 requests for a naive one (10 ranges + 50 calls + 10 nested ranges).
 */
export function dashboardQuery(options: DashboardOptions): string {
  const { siteId, day } = options;
  const ranges = Array.from(
    { length: 10 },
    (_, i) => `r${i}: calls(${range(day + 2 * i * HOUR_MS, day + (2 * i + 2) * HOUR_MS)}, first: 5) { totalCount nodes { id callId stage skill } }`,
  );
  const calls = callsOfDay(options).map((call, i) => {
    const hour = day + Math.floor((call.beginTime - day) / HOUR_MS) * HOUR_MS;
    const nested = i < 10 ? ` site { calls(${range(hour, hour + HOUR_MS)}, first: 3) { totalCount nodes { callId } } }` : '';
    return `c${i}: call(id: "${encodeCallId(call)}") { callId stage skill beginTime conversationId events { type time }${nested} }`;
  });
  return `query Dashboard { site(id: "${siteId}") { ${ranges.join('\n')} }\n${calls.join('\n')} }`;
}

/** 50 calls of the day, two or three from each hour, as the simulator generates them. */
function callsOfDay({ siteId, day, now, callsPerHour }: DashboardOptions): { siteId: string; callId: string; beginTime: number }[] {
  const picked: { siteId: string; callId: string; beginTime: number }[] = [];
  for (let i = 0; i < 50; i++) {
    const hour = day + (i % 24) * HOUR_MS;
    const wire = generateWindow({ seed: 'livedeflect', siteId, startTime: hour, endTime: hour + HOUR_MS, now, callsPerHour });
    const [callId, events] = Object.entries(wire)[Math.floor(i / 24) * 7]!;
    picked.push({ siteId, callId, beginTime: Number(events[0]!.beginTimeStamp) });
  }
  return picked;
}
