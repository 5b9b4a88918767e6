import { generateWindow } from '../../src/simulator/index.js';
import type { Rng } from '../../src/simulator/prng.js';
import { DAY_MS, HOUR_MS, TEST_DAY, TEST_NOW } from './day.js';

// Malformed input drawn from a seeded generator: the fuzz test's and the hostile-upstream corpus's.

/** Values of every JSON type, and strings that look like but are not what a field wants. */
export const JUNK: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  2 ** 31,
  2 ** 53 + 2,
  -(2 ** 31) - 1,
  1e308,
  '',
  ' ',
  'x',
  '0',
  '-1',
  'NaN',
  'Infinity',
  'null',
  'undefined',
  '[object Object]',
  '\u0000',
  '😀'.repeat(50),
  'a'.repeat(10_000),
  [],
  [1, 2],
  [null],
  {},
  { a: 1 },
  { __proto__: { x: 1 } },
  { constructor: 'x' },
  [[[[[[]]]]]],
  '2024-01-01',
  '2024-13-01T00:00:00Z',
  'yesterday',
  '1700000000000',
  'ASC',
  'NOPE',
];

/** One malformed upstream body for the window [startTime, endTime) of a site: the real answer, broken. */
export function upstreamBody(rng: Rng, siteId: string, startTime: number, callsPerHour: number): string {
  const data = generateWindow({ seed: 'livedeflect', siteId, startTime, endTime: startTime + HOUR_MS, now: TEST_NOW, callsPerHour });
  const envelope: Record<string, unknown> = { success: 'true', data };
  const text = JSON.stringify(envelope);
  switch (rng.int(0, 5)) {
    case 0:
      // Broken text: cut, padded, or not JSON at all.
      return rng.pick([
        text.slice(0, rng.int(0, text.length - 1)),
        `${text}${rng.pick(['x', '}', ',', '\u0000'])}`,
        '',
        'null',
        '<html><body>502 Bad Gateway</body></html>',
        '\uFEFF' + text,
        text.replace(/"/g, "'"),
        '{"success": "true", "data": {"1": [' + '{"eventTime": "1"},'.repeat(rng.int(1, 5)) + ']}}',
      ]);
    case 1:
      // A wrong envelope.
      return JSON.stringify(
        rng.pick([
          { ...envelope, success: rng.pick(JUNK) },
          { ...envelope, data: rng.pick(JUNK) },
          { success: 'false', message: rng.pick(JUNK) },
          rng.pick(JUNK),
          [envelope],
          { data },
        ]),
      );
    default: {
      // Broken values inside data: a call, an event list, an event or one of its values replaced, removed, or a strange key added.
      for (let edits = rng.int(1, 12); edits > 0; edits--) mutateDeep(rng, data);
      return JSON.stringify(envelope);
    }
  }
}

function mutateDeep(rng: Rng, root: object): void {
  let node: unknown = root;
  for (let depth = 0; depth < 4; depth++) {
    const keys = node !== null && typeof node === 'object' ? Object.keys(node) : [];
    if (keys.length === 0) break;
    const key = rng.pick(keys);
    const child = (node as Record<string, unknown>)[key];
    if (depth === 3 || child === null || typeof child !== 'object' || rng.chance(0.2)) {
      const target = node as Record<string, unknown>;
      const action = rng.int(0, 3);
      if (action === 0) delete target[key];
      // Copies: a later edit may walk into the inserted value, and the constants must stay as they are.
      else if (action === 1)
        target[rng.pick(['__proto__', 'constructor', 'toString', 'eventTime', 'callId', 'siteId', 'x'])] = structuredClone(rng.pick(JUNK));
      else
        target[key] = structuredClone(rng.pick([...JUNK, '1e400', '-1', String(TEST_DAY - 10 * DAY_MS), String(TEST_DAY + 1e12), '12abc', '  7  ']));
      return;
    }
    node = child;
  }
}
