import { startStack } from './helpers/stack.js';
import { TEST_DAY, DAY_MS, iso, TEST_NOW } from './helpers/day.js';
const stack = await startStack({ simulator: { now: () => TEST_NOW } });
const q = `query T($from: DateTime!, $to: DateTime!, $i: TimelineInterval!, $z: String) { site(id: "25508804") { timeline(from: $from, to: $to, interval: $i, timeZone: $z) { start end stats { totalCalls medianSecondsToConversation } } } }`;
for (const [i, z] of [['DAY', 'america/new_york'], ['HOUR', 'Asia/Kolkata'], ['WEEK', 'Australia/Sydney'], ['HOUR', 'Mars/Base'], ['FIFTEEN_MINUTES', 'UTC']]) {
  const a = await stack.query(q, { from: iso(TEST_DAY + 3600_000 * 1.5), to: iso(TEST_DAY + 9 * DAY_MS), i, z });
  console.log(i, z, JSON.stringify(a.body).slice(0, 600));
}
await stack.close();
