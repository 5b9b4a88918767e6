import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

/**
 * A second, independent subgraph as another team would write it: it owns LivePerson's conversation
 * data, completes the Conversation entity our Call.conversation points at, extends our Site with a
 * field, points back at our Call entity, and has its own Relay connection, so PageInfo is defined
 * twice in the supergraph. Nothing in it is copied from our schema.
 */
export const CONVERSATIONS_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])

type Query {
  conversations(ids: [ID!]!): [Conversation]!
}

type Conversation @key(fields: "id") {
  id: ID!
  transcriptUrl: String!
  agentName: String!
  call: Call
}

type Call @key(fields: "id", resolvable: false) {
  id: ID!
}

type Site @key(fields: "id") {
  id: ID!
  openConversations: Int!
  recentConversations(first: Int = 10): ConversationConnection!
}

type ConversationConnection {
  nodes: [Conversation!]!
  pageInfo: PageInfo!
}

type PageInfo @shareable {
  hasNextPage: Boolean!
  endCursor: String
}
`;

/** What the conversations service knows about one conversation: the IVR call it came from. */
export interface ConversationRecord {
  readonly id: string;
  readonly siteId: string;
  /** The livedeflect subgraph's Call.id (the key of the Call entity). */
  readonly callId: string;
}

export interface ConversationsSubgraph {
  /** http://127.0.0.1:port/ */
  readonly url: string;
  /** The Authorization header of every request it received, in arrival order (null when absent). */
  readonly authorizations: (string | null)[];
  close(): Promise<void>;
}

export const agentNameOf = (conversationId: string): string => `Agent ${conversationId.slice(0, 8)}`;
export const transcriptUrlOf = (conversationId: string): string => `https://transcripts.example/${conversationId}`;

export async function startConversationsSubgraph(records: readonly ConversationRecord[]): Promise<ConversationsSubgraph> {
  const byId = new Map(records.map((record) => [record.id, record]));
  const ofSite = (siteId: string) => records.filter((record) => record.siteId === siteId);
  const conversation = (id: string) => ({ id });
  const schema = buildSubgraphSchema({
    typeDefs: parse(CONVERSATIONS_SDL),
    resolvers: {
      Query: {
        conversations: (_parent: unknown, { ids }: { ids: string[] }) => ids.map((id) => (byId.has(id) ? conversation(id) : null)),
      },
      Conversation: {
        __resolveReference: ({ id }: { id: string }) => conversation(id),
        transcriptUrl: ({ id }: { id: string }) => transcriptUrlOf(id),
        agentName: ({ id }: { id: string }) => agentNameOf(id),
        call: ({ id }: { id: string }) => {
          const record = byId.get(id);
          return record ? { id: record.callId } : null;
        },
      },
      Site: {
        openConversations: ({ id }: { id: string }) => ofSite(id).length,
        recentConversations: ({ id }: { id: string }, { first }: { first: number }) => {
          const all = ofSite(id);
          return {
            nodes: all.slice(0, first).map((record) => conversation(record.id)),
            pageInfo: { hasNextPage: all.length > first, endCursor: null },
          };
        },
      },
    },
  });
  const authorizations: (string | null)[] = [];
  const server = new ApolloServer({ schema, logger: silentLogger });
  const { url } = await startStandaloneServer(server, {
    listen: { host: '127.0.0.1', port: 0 },
    context: async ({ req }) => {
      authorizations.push(req.headers.authorization ?? null);
      return {};
    },
  });
  return { url, authorizations, close: () => server.stop() };
}

const ignore = (): void => undefined;
/** The test's own servers stay quiet; failures show up in the assertions. */
export const silentLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
