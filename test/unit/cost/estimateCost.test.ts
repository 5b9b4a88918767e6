import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getOperationAST, getVariableValues, parse } from 'graphql';
import { costDirectivesOf } from '../../../src/cost/costDirectives.js';
import { estimateCost, TooManyFieldsToWeigh } from '../../../src/cost/estimateCost.js';
import { buildSchema } from '../../../src/schema.js';

const schema = buildSchema();
const RANGE = 'from: "2026-11-24T00:00:00Z", to: "2026-11-25T00:00:00Z"';
const CALL_ID = 'Q2FsbDoyNTUwODgwNDoxNzk1NDc4NDE2OTQyOjQ5ODc0NDAwMDAx';

function cost(source: string, variables: Record<string, unknown> = {}, maxFields = 10_000): number {
  const document = parse(source);
  const operation = getOperationAST(document)!;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  assert.equal(coerced.errors, undefined);
  return estimateCost(schema, document, operation, coerced.coerced, maxFields);
}

describe('the demand-control cost of an operation (@cost and @listSize)', () => {
  it('reads the weights and list sizes the schema declares', () => {
    const directives = costDirectivesOf(schema);
    assert.equal(directives.weight('Site', 'calls'), 100);
    assert.equal(directives.weight('Site', 'events'), 100);
    assert.equal(directives.weight('Site', 'stats'), 100);
    assert.equal(directives.weight('Site', 'id'), null);
    assert.deepEqual(directives.listSize('Site', 'calls'), { assumedSize: null, slicingArguments: ['first'], sizedFields: ['edges', 'nodes'] });
    assert.deepEqual(directives.listSize('Call', 'events'), { assumedSize: 10, slicingArguments: [], sizedFields: [] });
  });

  it('counts 1 per object and 0 per scalar; a range field its weight', () => {
    // site 1 + calls 100; totalCount and id are scalars.
    assert.equal(cost(`{ site(id: "1") { id calls(${RANGE}, first: 0) { totalCount } } }`), 101);
    // site 1 + stats 100 + byStage 5 x 1 + bySkill 20 x 1
    assert.equal(cost(`{ site(id: "1") { stats(${RANGE}) { totalCalls byStage { count } bySkill { skill } } } }`), 126);
  });

  it("multiplies a connection's edges and nodes by first, not the connection itself", () => {
    // site 1 + calls 100 + pageInfo 1 + nodes 7 x (call 1 + customerPhone 1) + edges 7 x (edge 1 + node 1)
    const source = `{ site(id: "1") { calls(${RANGE}, first: 7) { totalCount pageInfo { hasNextPage } nodes { id customerPhone { e164 } } edges { node { id } } } } }`;
    assert.equal(cost(source), 1 + 100 + 1 + 14 + 14);
  });

  it('takes first from the variables, and the schema default (50) when it is omitted', () => {
    const query = `query($first: Int) { site(id: "1") { calls(${RANGE}, first: $first) { nodes { id } } } }`;
    assert.equal(cost(query, { first: 3 }), 1 + 100 + 3);
    assert.equal(cost(query), 1 + 100 + 50);
    assert.equal(cost(`{ site(id: "1") { events(${RANGE}) { nodes { time } } } }`), 1 + 100 + 100);
  });

  it("multiplies nested lists: a call's events (assumed 10) inside a page", () => {
    // call 1 + events 10 x 1
    assert.equal(cost(`{ call(id: "${CALL_ID}") { events { type } } }`), 11);
    // site 1 + calls 100 + nodes 4 x (1 + events 10 x (1 + call 1))
    assert.equal(cost(`{ site(id: "1") { calls(${RANGE}, first: 4) { nodes { events { call { id } } } } } }`), 1 + 100 + 4 * (1 + 20));
  });

  it('counts a fragment where it is spread, as often as it is spread, and nothing that @skip or @include leaves out', () => {
    const fragment = `fragment Page on Site { calls(${RANGE}, first: 2) { nodes { id } } }`;
    assert.equal(cost(`{ a: site(id: "1") { ...Page } b: site(id: "2") { ...Page } } ${fragment}`), 2 * (1 + 100 + 2));
    const skipped = `query($skip: Boolean!) { site(id: "1") { calls(${RANGE}, first: 2) @skip(if: $skip) { totalCount } } }`;
    assert.equal(cost(skipped, { skip: true }), 1);
    assert.equal(cost(skipped, { skip: false }), 101);
  });

  it("counts federation's _entities once per representation, by the dearest of the types asked", () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Call { events { type } } ... on Site { id } } }`;
    assert.equal(cost(query, { r: [{}, {}, {}] }), 3 * (1 + 10));
  });

  it('leaves introspection free', () => {
    assert.equal(cost('{ __schema { types { name fields { name type { name } } } } __typename }'), 0);
  });

  it('stops when fragments expand past the fields it may visit', () => {
    const fragments = Array.from({ length: 12 }, (_, i) =>
      i === 11 ? `fragment F${i} on Site { id }` : `fragment F${i} on Site { ...F${i + 1} ...F${i + 1} }`,
    );
    assert.throws(() => cost(`{ site(id: "1") { ...F0 } } ${fragments.join(' ')}`, {}, 1000), TooManyFieldsToWeigh);
  });
});
