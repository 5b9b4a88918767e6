import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFile } from 'node:fs/promises';
import { composeServices } from '@apollo/composition';
import { Kind, parse, print, visit, type ConstDirectiveNode, type ObjectTypeDefinitionNode } from 'graphql';
import { PUBLISHED_SCHEMA_PATH } from '../../src/tools/printSchema.js';
import { CONVERSATIONS_SDL } from './conversationsSubgraph.js';
import { composeWithConversations, composeWithGuildComposition, OUR_SUBGRAPH, type Composition } from './supergraph.js';

const URLS = { livedeflect: 'http://127.0.0.1:4001/graphql', conversations: 'http://127.0.0.1:4002/' };

function typeOf(sdl: string, typeName: string): ObjectTypeDefinitionNode | undefined {
  return parse(sdl).definitions.find(
    (definition): definition is ObjectTypeDefinitionNode => definition.kind === Kind.OBJECT_TYPE_DEFINITION && definition.name.value === typeName,
  );
}

function fieldsOf(supergraphSdl: string, typeName: string): string[] {
  return (typeOf(supergraphSdl, typeName)?.fields ?? []).map((field) => field.name.value).sort();
}

/** Printed with their arguments in name order: composers keep the values but not always the order. */
const demandControl = (directives: readonly ConstDirectiveNode[] | undefined): string[] =>
  (directives ?? [])
    .filter((directive) => ['cost', 'listSize'].includes(directive.name.value))
    .map((directive) =>
      print({ ...directive, arguments: [...(directive.arguments ?? [])].sort((a, b) => a.name.value.localeCompare(b.name.value)) }),
    );

/** The @cost and @listSize a schema (subgraph or supergraph) puts on our types and fields. */
function demandControlOf(sdl: string): Record<string, string[]> {
  const fieldDirectives = (typeName: string, fieldName: string) =>
    demandControl(typeOf(sdl, typeName)?.fields?.find((field) => field.name.value === fieldName)?.directives);
  return {
    CallConnection: demandControl(typeOf(sdl, 'CallConnection')?.directives),
    DeflectionEventConnection: demandControl(typeOf(sdl, 'DeflectionEventConnection')?.directives),
    DeflectionStats: demandControl(typeOf(sdl, 'DeflectionStats')?.directives),
    'Site.calls': fieldDirectives('Site', 'calls'),
    'Site.events': fieldDirectives('Site', 'events'),
    'Call.events': fieldDirectives('Call', 'events'),
    'DeflectionStats.byStage': fieldDirectives('DeflectionStats', 'byStage'),
    'DeflectionStats.bySkill': fieldDirectives('DeflectionStats', 'bySkill'),
  };
}

const CONNECTION_SIZE = '@listSize(requireOneSlicingArgument: false, sizedFields: ["edges", "nodes"], slicingArguments: ["first"])';
const DEMAND_CONTROL = {
  CallConnection: ['@cost(weight: 100)'],
  DeflectionEventConnection: ['@cost(weight: 100)'],
  DeflectionStats: ['@cost(weight: 100)'],
  'Site.calls': [CONNECTION_SIZE],
  'Site.events': [CONNECTION_SIZE],
  'Call.events': ['@listSize(assumedSize: 10)'],
  'DeflectionStats.byStage': ['@listSize(assumedSize: 5)'],
  'DeflectionStats.bySkill': ['@listSize(assumedSize: 20)'],
};

function assertComposedWithDemandControl(composition: Composition): void {
  assert.deepEqual(composition.errors, []);
  assert.deepEqual(composition.hints, []);
  const supergraph = composition.supergraphSdl!;
  assert.match(supergraph, /@link\(url: "https:\/\/specs\.apollo\.dev\/cost\/v0\.1"/);
  assert.deepEqual(demandControlOf(supergraph), DEMAND_CONTROL);
}

describe('composition with @apollo/composition', () => {
  it('composes our published subgraph with an independent conversations subgraph with no errors and no hints', async () => {
    const composition = await composeWithConversations(URLS);

    assert.deepEqual(composition.errors, []);
    assert.deepEqual(composition.hints, []);
    const supergraph = composition.supergraphSdl!;
    const siteFields = fieldsOf(supergraph, 'Site');
    for (const field of ['id', 'calls', 'events', 'openConversations', 'recentConversations']) assert.ok(siteFields.includes(field), field);
    assert.deepEqual(fieldsOf(supergraph, 'Conversation'), ['agentName', 'call', 'id', 'transcriptUrl']);
    assert.deepEqual(fieldsOf(supergraph, 'PageInfo'), ['endCursor', 'hasNextPage']);
  });

  it('carries our @cost and @listSize into the supergraph, where a router reads them', async () => {
    assertComposedWithDemandControl(await composeWithConversations(URLS));
  });

  it('needs PageInfo @shareable: without it a second subgraph with a Relay connection does not compose', async () => {
    const ours = parse(await readFile(PUBLISHED_SCHEMA_PATH, 'utf8'));
    let removed = 0;
    const withoutShareable = visit(ours, {
      ObjectTypeDefinition: (node) => {
        if (node.name.value !== 'PageInfo') return undefined;
        const directives = node.directives?.filter((directive) => directive.name.value !== 'shareable') ?? [];
        removed += (node.directives?.length ?? 0) - directives.length;
        return { ...node, directives };
      },
    });
    assert.equal(removed, 1);

    const result = composeServices([
      { name: OUR_SUBGRAPH, url: URLS.livedeflect, typeDefs: withoutShareable },
      { name: 'conversations', url: URLS.conversations, typeDefs: parse(CONVERSATIONS_SDL) },
    ]);

    assert.deepEqual(
      result.errors?.map((error) => [error.extensions.code, /"PageInfo\.\w+"/.exec(error.message)?.[0]]),
      [
        ['INVALID_FIELD_SHARING', '"PageInfo.hasNextPage"'],
        ['INVALID_FIELD_SHARING', '"PageInfo.endCursor"'],
      ],
    );
  });
});

describe('composition with @theguild/federation-composition (Hive)', () => {
  it('composes the same two subgraphs with no errors, carrying our @cost and @listSize into the supergraph', async () => {
    const composition = await composeWithGuildComposition(URLS);

    assertComposedWithDemandControl(composition);
    assert.deepEqual(fieldsOf(composition.supergraphSdl!, 'Conversation'), ['agentName', 'call', 'id', 'transcriptUrl']);
  });
});

describe('the published SDL (npm run schema:print)', () => {
  it('links Federation v2.9+ importing @cost and @listSize, and annotates the range fields, connections and bounded lists', async () => {
    const published = await readFile(PUBLISHED_SCHEMA_PATH, 'utf8');

    const link = /@link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.(\d+)", import: \[([^\]]*)\]\)/.exec(published);
    assert.ok(link, 'a federation @link');
    assert.ok(Number(link[1]) >= 9, `federation v2.${link[1]} has no demand-control directives`);
    assert.ok(link[2]!.includes('"@cost"') && link[2]!.includes('"@listSize"'), link[2]);
    assert.deepEqual(demandControlOf(published), DEMAND_CONTROL);
  });
});
