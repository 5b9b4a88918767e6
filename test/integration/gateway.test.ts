import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateWindow } from '../../src/simulator/index.js';
import { DAY_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { startStack, type Stack } from '../helpers/stack.js';

const SITE = '25508804';
const CALLS_PER_HOUR = 12;

interface CallJson {
  id: string;
  callId: string;
  site: { id: string };
  externalCallId: string | null;
  beginTime: string;
  skill: string | null;
  callerEnteredDigits: string | null;
  callerInfo: Record<string, unknown> | null;
  callerInfoRaw: string | null;
  conversationId: string | null;
  conversation: { id: string } | null;
  customerPhone: { countryCode: string | null; number: string; e164: string | null } | null;
  dialedPhone: { countryCode: string | null; number: string; e164: string | null } | null;
  externalConsumerId: string | null;
  stage: string;
  lastEventTime: string | null;
  events: { type: string; rawType: string; info: string | null; time: string; call: { callId: string } }[];
}

const CALL_FIELDS = `id callId site { id } externalCallId beginTime skill callerEnteredDigits callerInfo callerInfoRaw
  conversationId conversation { id } customerPhone { countryCode number e164 } dialedPhone { countryCode number e164 }
  externalConsumerId stage lastEventTime events { type rawType info time call { callId } }`;

const CALLS = `query Calls($site: ID!, $from: DateTime!, $to: DateTime!, $filter: CallFilter, $order: SortOrder, $first: Int, $after: String) {
  site(id: $site) { calls(from: $from, to: $to, filter: $filter, order: $order, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { callId } } nodes { ${CALL_FIELDS} } } } }`;

describe('gateway over the simulator', () => {
  let stack: Stack;
  let all: CallJson[];
  const range = { site: SITE, from: iso(TEST_DAY), to: iso(TEST_DAY + DAY_MS) };

  async function calls(variables: Record<string, unknown>) {
    const answer = await stack.query(CALLS, { ...range, first: 500, ...variables });
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    return (
      answer.body.data as { site: { calls: { totalCount: number; nodes: CallJson[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } }
    ).site.calls;
  }

  before(async () => {
    stack = await startStack({ simulator: { callsPerHour: CALLS_PER_HOUR, now: () => TEST_NOW } });
    all = (await calls({})).nodes;
  });
  after(() => stack.close());

  it('returns every call that began in the range, with the fields the upstream sent', () => {
    const wire = generateWindow({
      seed: 'livedeflect',
      siteId: SITE,
      startTime: TEST_DAY,
      endTime: TEST_DAY + DAY_MS,
      now: TEST_NOW,
      callsPerHour: CALLS_PER_HOUR,
    });
    assert.equal(all.length, Object.keys(wire).length);
    for (const call of all) {
      const events = [...wire[call.callId]!].sort((a, b) => Number(a.eventTime) - Number(b.eventTime));
      const latest = (field: keyof (typeof events)[number]) =>
        events.reduce<string | null>((value, event) => (event[field] ? event[field] : value), null);
      assert.equal(call.site.id, SITE);
      assert.equal(call.beginTime, iso(Number(events[0]!.beginTimeStamp)));
      assert.equal(call.skill, latest('skill'));
      assert.equal(call.externalCallId, latest('externalCallId'));
      assert.equal(call.callerEnteredDigits, latest('callerEnteredDigits'));
      assert.equal(call.callerInfoRaw, latest('callerInfo'));
      assert.equal(call.conversationId, latest('conversationId'));
      assert.deepEqual(call.conversation, call.conversationId ? { id: call.conversationId } : null);
      assert.equal(call.externalConsumerId, latest('externalConsumerId'));
      assert.equal(call.customerPhone?.number, latest('customerPhoneNumber'));
      assert.equal(call.customerPhone?.countryCode, latest('customerCountryCode'));
      assert.equal(call.dialedPhone?.number, latest('dialedPhoneNumber'));
      assert.deepEqual(
        call.events.map((event) => [event.rawType, event.info, event.time]),
        events.map((event) => [event.eventType, event.eventInfo || null, iso(Number(event.eventTime))]),
      );
      assert.ok(call.events.every((event) => event.call.callId === call.callId));
      assert.equal(call.lastEventTime, call.events.at(-1)?.time ?? null);
    }
  });

  it('parses callerInfo when it is a JSON object and gives null otherwise', () => {
    for (const call of all) {
      let parsed: unknown;
      try {
        parsed = call.callerInfoRaw ? JSON.parse(call.callerInfoRaw) : null;
      } catch {
        parsed = null;
      }
      const isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
      assert.deepEqual(call.callerInfo, isObject ? parsed : null);
    }
    assert.ok(all.some((call) => call.callerInfo !== null));
  });

  it('gives E.164 for valid numbers, from the country code and national number', () => {
    for (const call of all.filter((c) => c.customerPhone)) {
      const { countryCode, number, e164 } = call.customerPhone!;
      assert.equal(e164, `+${countryCode}${number.replace(/^0/, '')}`);
    }
  });

  it('derives the stage from the events', () => {
    for (const call of all) {
      const types = call.events.map((event) => event.type);
      const answer = call.events.filter((event) => event.type === 'DEFLECTION_RESPONSE' && /^[yn]$/i.test(event.info ?? '')).at(-1);
      const expected =
        types.includes('CONVERSATION_ID') || call.conversationId
          ? 'CONVERSATION_STARTED'
          : types.includes('SEND_TEXT')
            ? 'TEXT_SENT'
            : answer
              ? answer.info!.toUpperCase() === 'Y'
                ? 'ACCEPTED'
                : 'DECLINED'
              : 'STARTED';
      assert.equal(call.stage, expected, call.callId);
    }
    assert.ok(new Set(all.map((call) => call.stage)).size >= 4, 'the day covers most stages');
  });

  it('sorts calls by begin time then callId, and DESC is the exact reverse', async () => {
    const keys = all.map((call) => [Date.parse(call.beginTime), call.callId] as const);
    assert.deepEqual(
      [...keys].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1)),
      keys,
    );
    const desc = (await calls({ order: 'DESC' })).nodes.map((call) => call.callId);
    assert.deepEqual(desc, all.map((call) => call.callId).reverse());
  });

  describe('filters', () => {
    const skillsPresent = () => [...new Set(all.map((call) => call.skill).filter((skill): skill is string => skill !== null))];
    const cases: [string, () => Record<string, unknown>, (call: CallJson) => boolean][] = [
      ['eventTypes', () => ({ eventTypes: ['SEND_TEXT'] }), (call) => call.events.some((event) => event.type === 'SEND_TEXT')],
      [
        'skills',
        () => ({ skills: skillsPresent().slice(0, 2) }),
        (call) =>
          skillsPresent()
            .slice(0, 2)
            .includes(call.skill ?? ''),
      ],
      ['hasConversation: true', () => ({ hasConversation: true }), (call) => call.conversationId !== null],
      ['hasConversation: false', () => ({ hasConversation: false }), (call) => call.conversationId === null],
      ['stages', () => ({ stages: ['DECLINED', 'ACCEPTED'] }), (call) => ['DECLINED', 'ACCEPTED'].includes(call.stage)],
      [
        'all combined',
        () => ({
          eventTypes: ['DEFLECTION_RESPONSE'],
          skills: skillsPresent().slice(0, 3),
          hasConversation: false,
          stages: ['DECLINED', 'TEXT_SENT'],
        }),
        (call) =>
          call.events.some((event) => event.type === 'DEFLECTION_RESPONSE') &&
          skillsPresent()
            .slice(0, 3)
            .includes(call.skill ?? '') &&
          call.conversationId === null &&
          ['DECLINED', 'TEXT_SENT'].includes(call.stage),
      ],
    ];
    for (const [name, filter, matches] of cases) {
      it(`${name} keeps exactly the matching calls and counts them all`, async () => {
        const expected = all.filter(matches).map((call) => call.callId);
        assert.ok(expected.length > 0 && expected.length < all.length, `${name} should split the day`);
        const page = await calls({ filter: filter(), first: 10 });
        assert.equal(page.totalCount, expected.length);
        assert.deepEqual(
          page.nodes.map((call) => call.callId),
          expected.slice(0, 10),
        );
      });
    }
  });

  it('pages a filtered list with a cursor, and the cursor still works when the filter is the same', async () => {
    const query = `query($after: String) { site(id: "${SITE}") { calls(from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + DAY_MS)}", first: 2, after: $after, filter: { stages: [DECLINED, CONVERSATION_STARTED] }) {
      totalCount nodes { callId stage } pageInfo { hasNextPage endCursor } } } }`;
    type Page = {
      site: { calls: { totalCount: number; nodes: { callId: string; stage: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    };
    const first = (await stack.query(query)).body.data as Page;
    const second = (await stack.query(query, { after: first.site.calls.pageInfo.endCursor })).body.data as Page;
    const all = (await stack.query(query.replace('first: 2', 'first: 500'))).body.data as Page;
    assert.deepEqual([...first.site.calls.nodes, ...second.site.calls.nodes], all.site.calls.nodes.slice(0, 4));
    assert.ok(all.site.calls.nodes.every((call) => call.stage === 'DECLINED' || call.stage === 'CONVERSATION_STARTED'));
  });

  it('pages through 3+ pages in each order with no call missing or repeated', async () => {
    for (const order of ['ASC', 'DESC']) {
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (; pages < 100; pages++) {
        const page = await calls({ order, first: 70, after });
        seen.push(...page.nodes.map((call) => call.callId));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      assert.ok(pages >= 3);
      const expected = all.map((call) => call.callId);
      assert.deepEqual(seen, order === 'ASC' ? expected : expected.reverse());
    }
  });

  it('pages events by (time, callId, position) and filters them by type and call skill', async () => {
    const query = `query($site: ID!, $from: DateTime!, $to: DateTime!, $filter: EventFilter, $after: String, $order: SortOrder) {
      site(id: $site) { events(from: $from, to: $to, filter: $filter, first: 200, after: $after, order: $order) {
        totalCount pageInfo { hasNextPage endCursor } nodes { type time call { callId skill } } } } }`;
    const skill = all.find((call) => call.skill)!.skill;
    const expected = all
      .flatMap((call) => call.events.map((event, position) => ({ ...event, skill: call.skill, callId: call.callId, position })))
      .filter((event) => event.type === 'CALL_START' || event.type === 'SEND_TEXT')
      .filter((event) => event.skill === skill)
      .sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : a.position - b.position));
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 50; guard++) {
      const answer = await stack.query(query, { ...range, filter: { types: ['CALL_START', 'SEND_TEXT'], skills: [skill] }, after });
      const page = (
        answer.body.data as {
          site: {
            events: {
              totalCount: number;
              pageInfo: { hasNextPage: boolean; endCursor: string };
              nodes: { type: string; time: string; call: { callId: string } }[];
            };
          };
        }
      ).site.events;
      assert.equal(page.totalCount, expected.length);
      seen.push(...page.nodes.map((event) => `${event.call.callId}/${event.type}/${event.time}`));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    assert.deepEqual(
      seen,
      expected.map((event) => `${event.callId}/${event.type}/${event.time}`),
    );
  });

  it('finds a call again by its id, and null for an id of a call that does not exist', async () => {
    const picks = [all[0]!, all[Math.floor(all.length / 2)]!, all.at(-1)!];
    for (const call of picks) {
      const answer = await stack.query(`query($id: ID!) { call(id: $id) { ${CALL_FIELDS} } }`, { id: call.id });
      assert.deepEqual((answer.body.data as { call: CallJson }).call, call);
    }
    const ghost = Buffer.from(`Call:${SITE}:${Date.parse(all[0]!.beginTime)}:no-such-call`).toString('base64url');
    const answer = await stack.query(`query($id: ID!) { call(id: $id) { callId } }`, { id: ghost });
    assert.deepEqual(answer.body, { data: { call: null }, extensions: answer.body.extensions });
  });

  it("filters a call's events by type", async () => {
    const call = all.find((c) => c.events.length > 2)!;
    const answer = await stack.query(`query($id: ID!) { call(id: $id) { events(types: [CALL_START, UNKNOWN]) { type } } }`, { id: call.id });
    const types = (answer.body.data as { call: { events: { type: string }[] } }).call.events.map((event) => event.type);
    assert.deepEqual(
      types,
      call.events.map((event) => event.type).filter((type) => type === 'CALL_START' || type === 'UNKNOWN'),
    );
  });
});
