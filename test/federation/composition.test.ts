import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFile } from 'node:fs/promises';
import { composeServices } from '@apollo/composition';
import { Kind, parse, visit, type ObjectTypeDefinitionNode } from 'graphql';
import { PUBLISHED_SCHEMA_PATH } from '../../src/tools/printSchema.js';
import { CONVERSATIONS_SDL } from './conversationsSubgraph.js';
import { composeWithConversations, OUR_SUBGRAPH } from './supergraph.js';

const URLS = { livedeflect: 'http://127.0.0.1:4001/graphql', conversations: 'http://127.0.0.1:4002/' };

function fieldsOf(supergraphSdl: string, typeName: string): string[] {
  const type = parse(supergraphSdl).definitions.find(
    (definition): definition is ObjectTypeDefinitionNode => definition.kind === Kind.OBJECT_TYPE_DEFINITION && definition.name.value === typeName,
  );
  return (type?.fields ?? []).map((field) => field.name.value).sort();
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
