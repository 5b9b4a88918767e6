import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getOperationAST, parse } from 'graphql';
import { bucketsOfOperation, windowCount } from '../../src/plugins/operationWindows.js';
import { buildSchema } from '../../src/schema.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MIDNIGHT = Date.UTC(2026, 9, 14);
const NOW = MIDNIGHT + 30 * DAY;
const SETTINGS = { bucketSizeMs: HOUR, maxWindowMs: DAY, maxRangeMs: 31 * DAY };
const schema = buildSchema();
const iso = (time: number) => new Date(time).toISOString();
const callId = (site: string, time: number) => Buffer.from(`Call:${site}:${time}:7`).toString('base64url');

function estimate(query: string, variables: Record<string, unknown> = {}, maxWindows = 1_000): { sites: Record<string, number>; windows: number } {
  const document = parse(query);
  const buckets = bucketsOfOperation(schema, document, getOperationAST(document)!, variables, SETTINGS, maxWindows, NOW);
  return { sites: Object.fromEntries([...buckets].map(([site, set]) => [site, set.size])), windows: windowCount(buckets, SETTINGS) };
}

describe('bucketsOfOperation: the windows an operation will ask for, from its arguments alone', () => {
  it('a range under Query.site names its buckets: 24 hours from 06:00 are one window, 25 hours two', () => {
    const range = (hours: number) => `from: "${iso(MIDNIGHT + 6 * HOUR)}", to: "${iso(MIDNIGHT + (6 + hours) * HOUR)}"`;
    assert.deepEqual(estimate(`{ site(id: "1") { stats(${range(24)}) { totalCalls } } }`), { sites: { 1: 24 }, windows: 1 });
    assert.deepEqual(estimate(`{ site(id: "1") { stats(${range(25)}) { totalCalls } } }`), { sites: { 1: 25 }, windows: 2 });
  });

  it('fragments, inline fragments and nesting keep the site they are spread under', () => {
    const query = `{ site(id: "1") { ...Days } s2: site(id: "2") { ... on Site { ...Days } } }
      fragment Days on Site { calls(from: "${iso(MIDNIGHT)}", to: "${iso(MIDNIGHT + DAY)}") { nodes { site {
        events(from: "${iso(MIDNIGHT + 2 * DAY)}", to: "${iso(MIDNIGHT + 3 * DAY)}") { totalCount } } } } }`;
    assert.deepEqual(estimate(query), { sites: { 1: 48, 2: 48 }, windows: 4 });
  });

  it('Query.call names the bucket of its id and is the site of what is nested under it', () => {
    const query = `{ call(id: "${callId('5', MIDNIGHT + 90 * 60_000)}") { site { stats(from: "${iso(MIDNIGHT + 5 * DAY)}", to: "${iso(MIDNIGHT + 6 * DAY)}") { totalCalls } } } }`;
    assert.deepEqual(estimate(query), { sites: { 5: 25 }, windows: 2 });
  });

  it('_entities: Call ids name their buckets, Site representations are the site of the fields under them, only matching fragments count', () => {
    const query = `query ($r: [_Any!]!) { _entities(representations: $r) {
      ... on Call { callId }
      ... on Site { stats(from: "${iso(MIDNIGHT)}", to: "${iso(MIDNIGHT + DAY)}") { totalCalls } } } }`;
    const representations = [
      { __typename: 'Call', id: callId('7', MIDNIGHT + 10 * DAY) },
      { __typename: 'Call', id: callId('7', MIDNIGHT + 10 * DAY + HOUR) },
      { __typename: 'Site', id: '8' },
      { __typename: 'Nope', id: '9' },
      { __typename: 'Call', id: 'not an id' },
    ];
    assert.deepEqual(estimate(query, { r: representations }), { sites: { 7: 2, 8: 24 }, windows: 2 });
  });

  it('arguments the resolvers refuse name nothing: a bad site id, a reversed or too long range, a Call id after tomorrow', () => {
    const query = `{
      bad: site(id: "x1") { stats(from: "${iso(MIDNIGHT)}", to: "${iso(MIDNIGHT + DAY)}") { totalCalls } }
      reversed: site(id: "1") { stats(from: "${iso(MIDNIGHT + DAY)}", to: "${iso(MIDNIGHT)}") { totalCalls } }
      long: site(id: "1") { stats(from: "${iso(MIDNIGHT)}", to: "${iso(MIDNIGHT + 40 * DAY)}") { totalCalls } }
      future: call(id: "${callId('1', NOW + 2 * DAY)}") { callId } }`;
    assert.deepEqual(estimate(query), { sites: {}, windows: 0 });
  });

  it('stops counting once certainly over the budget: 500 sites against a budget of 10', () => {
    const query = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Site { stats(from: "${iso(MIDNIGHT)}", to: "${iso(MIDNIGHT + 31 * DAY)}") { totalCalls } } } }`;
    const representations = Array.from({ length: 500 }, (_, i) => ({ __typename: 'Site', id: String(i + 1) }));
    const { sites, windows } = estimate(query, { r: representations }, 10);
    assert.ok(windows > 10);
    assert.ok(Object.keys(sites).length < 500, `${Object.keys(sites).length} sites were walked`);
  });
});
