// Which executor runs an operation, seen from a resolver: graphql-js runs on the schema Apollo has, a
// compiled query on the second instance only graphql-jit sees (each resolver's info.schema tells them apart).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApolloServer, HeaderMap } from '@apollo/server';
import {
  buildSchema as buildSdl,
  GraphQLError,
  GraphQLObjectType,
  type FormattedExecutionResult,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import { createCompiledExecution, type CompiledExecutionOptions } from '../../src/compiledExecution.js';

const typeDefs = /* GraphQL */ `
  type Query {
    where: String!
    item(id: Int!): Item
    items: [Item!]!
  }
  type Item {
    id: Int!
    name: String!
  }
`;

interface Built {
  readonly schema: GraphQLSchema;
  readonly seen: GraphQLSchema[];
}

function buildSchema(): Built {
  const seen: GraphQLSchema[] = [];
  const schema = buildSdl(typeDefs);
  const resolvers: Record<string, GraphQLFieldResolver<unknown, unknown, { id: number }>> = {
    where: (_source, _args, _context, info) => {
      seen.push(info.schema);
      return 'here';
    },
    item: (_source, { id }) => {
      if (id < 0) throw new GraphQLError('No such item', { extensions: { code: 'BAD_USER_INPUT' } });
      if (id === 0) throw new Error('broken');
      return { id, name: `item ${id}` };
    },
    // The second item's name is null in a non-null field: the item is lost, the list is kept.
    items: () => [
      { id: 1, name: 'one' },
      { id: 2, name: null },
    ],
  };
  for (const [name, field] of Object.entries((schema.getType('Query') as GraphQLObjectType).getFields())) field.resolve = resolvers[name];
  return { schema, seen };
}

async function serverWith(overrides: Partial<CompiledExecutionOptions> = {}) {
  const apollo = buildSchema();
  const compiled = buildSchema();
  const server = new ApolloServer({
    // Stack traces name the executor's own frames; everything else of an error must be the same.
    includeStacktraceInErrorResponses: false,
    gateway: createCompiledExecution({
      schema: apollo.schema,
      compileSchema: compiled.schema,
      runsBeforeCompiling: 1,
      federatedTracing: true,
      maxBytes: 1024 * 1024,
      ...overrides,
    }),
  });
  await server.start();
  const ran = async (query: string, headers: [string, string][] = []): Promise<'graphql-js' | 'compiled'> => {
    const [onApollo, onCompiled] = [apollo.seen.length, compiled.seen.length];
    const response = await server.executeOperation({
      query,
      http: { method: 'POST', headers: new HeaderMap(headers), search: '', body: {} },
    });
    assert.ok(response.body.kind === 'single' && !response.body.singleResult.errors, 'answered');
    assert.equal(apollo.seen.length - onApollo + (compiled.seen.length - onCompiled), 1, 'one resolver ran');
    return apollo.seen.length > onApollo ? 'graphql-js' : 'compiled';
  };
  return { server, ran };
}

async function bodyOf(server: ApolloServer, query: string, variables?: Record<string, unknown>, operationName?: string) {
  const response = await server.executeOperation({ query, ...(variables ? { variables } : {}), ...(operationName ? { operationName } : {}) });
  assert.equal(response.body.kind, 'single');
  // As written to the client: graphql-js builds null-prototype objects, graphql-jit plain ones.
  return { status: response.http.status, result: JSON.parse(JSON.stringify(response.body.singleResult)) as FormattedExecutionResult };
}

describe('compiled execution (graphql-jit behind Apollo Server)', () => {
  it('runs a query on graphql-js the first time and compiled from the second', async () => {
    const { server, ran } = await serverWith();
    try {
      assert.deepEqual([await ran('{ where }'), await ran('{ where }'), await ran('{ where }')], ['graphql-js', 'compiled', 'compiled']);
      // Another document (another hash) is counted on its own.
      assert.equal(await ran('query Other { where }'), 'graphql-js');
    } finally {
      await server.stop();
    }
  });

  it('compiles on the first run with runsBeforeCompiling 0, and never without a compile schema', async () => {
    const always = await serverWith({ runsBeforeCompiling: 0 });
    const off = await serverWith({ compileSchema: null });
    try {
      assert.equal(await always.ran('{ where }'), 'compiled');
      assert.deepEqual([await off.ran('{ where }'), await off.ran('{ where }')], ['graphql-js', 'graphql-js']);
    } finally {
      await Promise.all([always.server.stop(), off.server.stop()]);
    }
  });

  it('runs on graphql-js, whose field hooks time an inline trace, when a router asks for ftv1', async () => {
    const { server, ran } = await serverWith({ runsBeforeCompiling: 0 });
    const traced: [string, string][] = [['apollo-federation-include-trace', 'ftv1']];
    try {
      assert.equal(await ran('{ where }', traced), 'graphql-js');
      assert.equal(await ran('{ where }'), 'compiled');
      const untraced = await serverWith({ runsBeforeCompiling: 0, federatedTracing: false });
      assert.equal(await untraced.ran('{ where }', traced), 'compiled', 'no trace is given, so nothing needs field hooks');
      await untraced.server.stop();
    } finally {
      await server.stop();
    }
  });

  it('keeps a query graphql-jit cannot compile on graphql-js, without trying again', async () => {
    // A compile schema whose field needs an argument: graphql-jit refuses the document that Apollo's schema runs.
    const { server, ran } = await serverWith({ runsBeforeCompiling: 0, compileSchema: buildSdl('type Query { where(x: Int!): String }') });
    try {
      assert.deepEqual([await ran('{ where }'), await ran('{ where }')], ['graphql-js', 'graphql-js']);
    } finally {
      await server.stop();
    }
  });

  it('does not compile a document too large for the store, and keeps running it on graphql-js', async () => {
    // 32 bytes a byte of source: "{ where }" (9 bytes) needs 288.
    const { server, ran } = await serverWith({ runsBeforeCompiling: 0, maxBytes: 200 });
    try {
      assert.deepEqual([await ran('{ where }'), await ran('{ where }')], ['graphql-js', 'graphql-js']);
    } finally {
      await server.stop();
    }
  });

  it('answers errors, partial data and refused variables exactly as Apollo Server on graphql-js does', async () => {
    // Apollo Server executing the schema itself, as it does without this module.
    const plain = { server: new ApolloServer({ includeStacktraceInErrorResponses: false, schema: buildSchema().schema }) };
    await plain.server.start();
    const compiled = await serverWith({ runsBeforeCompiling: 0 });
    const cases: [string, Record<string, unknown>?][] = [
      ['{ a: item(id: -1) { name } b: item(id: 3) { name } }'],
      ['{\n  broken: item(id: 0) { id }\n  ok: item(id: 1) { id }\n}'],
      ['{ items { id name } }'],
      ['query Q($id: Int!) { item(id: $id) { name } }', { id: 'one' }],
      ['query Q($id: Int!) { item(id: $id) { name } }', {}],
      ['query Q($id: Int!) { item(id: $id) { name } }', { id: 2 }],
      // Two operations and no operationName: nothing says which to run.
      ['query A { where } query B { where }'],
    ];
    const named: [string, string][] = [['{ items { id } }', 'Missing']];
    try {
      for (const [query, variables] of cases) {
        assert.deepEqual(await bodyOf(compiled.server, query, variables), await bodyOf(plain.server, query, variables), query);
      }
      for (const [query, operationName] of named) {
        assert.deepEqual(
          await bodyOf(compiled.server, query, undefined, operationName),
          await bodyOf(plain.server, query, undefined, operationName),
          query,
        );
      }
      const { result } = await bodyOf(compiled.server, cases[0]![0]);
      assert.equal(result?.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', 'the cases do hold errors');
    } finally {
      await Promise.all([plain.server.stop(), compiled.server.stop()]);
    }
  });
});
