import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Trace } from '@apollo/usage-reporting-protobuf';
import { HOUR_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { startStack, type Stack } from '../helpers/stack.js';

const SITE = '25508804';
const QUERY = `{ site(id: "${SITE}") { id calls(from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + 6 * HOUR_MS)}", first: 2) {
  totalCount nodes { callId events { type } } } } }`;

interface TimedField {
  readonly path: string;
  readonly parentType: string;
  readonly type: string;
  readonly startNs: number;
  readonly endNs: number;
}

/** Every resolved field of the trace tree, by response path (list items by index), parents first. */
function fieldsOf(node: Trace.INode, path: string[] = []): TimedField[] {
  return (node.child ?? []).flatMap((child) => {
    // An item of a list has an index and no responseName (protobuf gives "" for it).
    const here = [...path, child.responseName || String(child.index ?? 0)];
    const own: TimedField[] = child.responseName
      ? [
          {
            path: here.join('.'),
            parentType: child.parentType ?? '',
            type: child.type ?? '',
            startNs: Number(child.startTime),
            endNs: Number(child.endTime),
          },
        ]
      : [];
    return [...own, ...fieldsOf(child, here)];
  });
}

describe('federated tracing (ftv1), as Apollo Router and @apollo/gateway ask for it', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ simulator: { callsPerHour: 3, now: () => TEST_NOW } });
  });
  after(() => stack.close());

  it('answers apollo-federation-include-trace: ftv1 with a trace that times the resolver of every field asked', async () => {
    const answer = await stack.query(QUERY, undefined, { 'apollo-federation-include-trace': 'ftv1' });

    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    const trace = Trace.decode(Buffer.from(answer.body.extensions!.ftv1 as string, 'base64'));
    const nodes = (answer.body.data as { site: { calls: { nodes: { events: unknown[] }[] } } }).site.calls.nodes;
    assert.equal(nodes.length, 2);
    const expected = [
      'site',
      'site.id',
      'site.calls',
      'site.calls.totalCount',
      'site.calls.nodes',
      ...nodes.flatMap((call, i) => [
        `site.calls.nodes.${i}.callId`,
        `site.calls.nodes.${i}.events`,
        ...call.events.map((_, j) => `site.calls.nodes.${i}.events.${j}.type`),
      ]),
    ];
    const fields = fieldsOf(trace.root!);
    assert.deepEqual(fields.map((field) => field.path).sort(), expected.sort());
    const byPath = new Map(fields.map((field) => [field.path, field]));
    assert.deepEqual(
      ['site', 'site.calls', 'site.calls.nodes.0.events'].map((path) => [byPath.get(path)!.parentType, byPath.get(path)!.type]),
      [
        ['Query', 'Site!'],
        ['Site', 'CallConnection'],
        ['Call', '[DeflectionEvent!]!'],
      ],
    );
    const durationNs = Number(trace.durationNs);
    for (const field of fields) {
      assert.ok(field.endNs >= field.startNs && field.startNs >= 0 && field.endNs <= durationNs, `${field.path} timed within the operation`);
      const parent = byPath.get(field.path.split('.').slice(0, -2).join('.')) ?? byPath.get(field.path.split('.').slice(0, -1).join('.'));
      if (parent) assert.ok(field.startNs >= parent.startNs, `${field.path} starts after its parent`);
    }
    assert.ok(stack.simulator.requests.length > 0, 'the calls field fetched from LiveDeflect');
  });

  it('adds no trace to an answer that did not ask for one', async () => {
    const answer = await stack.query(QUERY);

    assert.equal(answer.body.errors, undefined);
    assert.equal(answer.body.extensions?.ftv1, undefined);
  });
});
