/**
 * The normal mix of `npm run loadtest` (and of the abuse test): what every well-behaved connection
 * sends in turn, over a simulator whose clock is fixed after the mix's last day.
 */
import { generateWindow, MAX_CALL_DURATION_MS } from '../src/simulator/index.js';

export const SITE = '25508804';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
export const DAYS = 7;
export const FIRST_DAY = Date.UTC(2026, 0, 5);
export const NOW = FIRST_DAY + DAYS * DAY_MS + MAX_CALL_DURATION_MS;
export const CALLS_PER_HOUR = 20;
const iso = (time: number) => new Date(time).toISOString();
const CALL_FIELDS = 'id callId beginTime skill stage conversationId customerPhone { e164 } callerInfo lastEventTime events { type info time }';

/** The operations every connection sends in turn: pages of days, a dashboard of ranges, single calls. */
export function operations(): string[] {
  const days = Array.from({ length: DAYS }, (_, day) => FIRST_DAY + day * DAY_MS);
  const pages = days.map(
    (day) => `{ site(id: "${SITE}") { calls(from: "${iso(day)}", to: "${iso(day + DAY_MS)}", first: 100) {
      totalCount pageInfo { hasNextPage endCursor } nodes { ${CALL_FIELDS} } } } }`,
  );
  const dashboard = `query Dashboard { site(id: "${SITE}") {
    ${[0, 6, 12, 18].map((hour) => `h${hour}: calls(from: "${iso(FIRST_DAY + hour * HOUR_MS)}", to: "${iso(FIRST_DAY + (hour + 6) * HOUR_MS)}", first: 20) { totalCount nodes { callId stage } }`).join('\n')}
    week: calls(from: "${iso(FIRST_DAY)}", to: "${iso(FIRST_DAY + DAYS * DAY_MS)}", first: 0) { totalCount }
    events(from: "${iso(FIRST_DAY + DAY_MS)}", to: "${iso(FIRST_DAY + 2 * DAY_MS)}", first: 50) { totalCount nodes { type time call { callId } } } } }`;
  // Query.call needs ids as the API makes them: one encodes site, begin time and callId.
  const wire = generateWindow({
    seed: 'livedeflect',
    siteId: SITE,
    startTime: FIRST_DAY + 3 * DAY_MS,
    endTime: FIRST_DAY + 3 * DAY_MS + HOUR_MS,
    now: NOW,
    callsPerHour: CALLS_PER_HOUR,
  });
  const calls = Object.entries(wire)
    .slice(0, 10)
    .map(
      ([callId, events], i) =>
        `c${i}: call(id: "${Buffer.from(`Call:${SITE}:${events[0]!.beginTimeStamp}:${callId}`).toString('base64url')}") { ${CALL_FIELDS} }`,
    );
  return [...pages, dashboard, `{ ${calls.join('\n')} }`];
}
