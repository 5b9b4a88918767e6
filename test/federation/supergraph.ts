import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { composeServices as composeWithGuild } from '@theguild/federation-composition';
import { parse, type DocumentNode } from 'graphql';
import { PUBLISHED_SCHEMA_PATH } from '../../src/tools/printSchema.js';
import { CONVERSATIONS_SDL, silentLogger } from './conversationsSubgraph.js';
import type { GraphQLAnswer } from '../helpers/stack.js';

export const OUR_SUBGRAPH = 'livedeflect';

export interface SubgraphUrls {
  /** Our gateway's GraphQL endpoint, e.g. http://127.0.0.1:4001/graphql */
  readonly livedeflect: string;
  readonly conversations: string;
}

export interface Composition {
  readonly supergraphSdl: string | null;
  readonly errors: readonly string[];
  /** Printed, code first: "[CODE]: message". */
  readonly hints: readonly string[];
}

/**
 * Composes what we publish (the committed schema:print output, so the file a registry gets is the one
 * proven to compose) with the independent conversations subgraph, as `rover supergraph compose` would.
 */
export async function composeWithConversations(urls: SubgraphUrls): Promise<Composition> {
  const result = composeServices(await subgraphsOf(urls));
  return {
    supergraphSdl: result.errors ? null : result.supergraphSdl,
    errors: result.errors?.map((error) => error.message) ?? [],
    hints: (result.hints ?? []).map(String),
  };
}

/**
 * The same two subgraphs through The Guild's composer (what Hive's schema registry and `hive-gateway
 * supergraph` use). It reports errors only: it has no notion of hints.
 */
export async function composeWithGuildComposition(urls: SubgraphUrls): Promise<Composition> {
  const result = composeWithGuild(await subgraphsOf(urls));
  return { supergraphSdl: result.supergraphSdl ?? null, errors: result.errors?.map((error) => error.message) ?? [], hints: [] };
}

async function subgraphsOf(urls: SubgraphUrls): Promise<{ name: string; url: string; typeDefs: DocumentNode }[]> {
  const ours = await readFile(PUBLISHED_SCHEMA_PATH, 'utf8');
  return [
    { name: OUR_SUBGRAPH, url: urls.livedeflect, typeDefs: parse(ours) },
    { name: 'conversations', url: urls.conversations, typeDefs: parse(CONVERSATIONS_SDL) },
  ];
}

interface ClientContext {
  readonly authorization: string | null;
}

/**
 * What a router does for this subgraph: forward the client's Authorization header on every subgraph
 * request of the operation. Without it our subgraph sees no credential and answers UNAUTHENTICATED.
 */
class AuthorizationForwardingDataSource extends RemoteGraphQLDataSource<ClientContext> {
  override willSendRequest(options: Parameters<NonNullable<RemoteGraphQLDataSource<ClientContext>['willSendRequest']>>[0]): void {
    const authorization = 'incomingRequestContext' in options ? options.context.authorization : null;
    if (authorization) options.request.http?.headers.set('authorization', authorization);
  }
}

export interface FederationGateway {
  readonly url: string;
  query(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLAnswer>;
  close(): Promise<void>;
}

/**
 * A real @apollo/gateway 2.14 hosted by Apollo Server 5. The gateway implements
 * @apollo/server-gateway-interface 1.x and Apollo Server 5 expects 2.x; the two differ only in the
 * versions of their utility type packages (keyvaluecache, logger, fetcher), which are structurally the
 * same, so `new ApolloServer({ gateway })` type-checks and runs as is.
 */
export async function startFederationGateway(supergraphSdl: string): Promise<FederationGateway> {
  const gateway = new ApolloGateway({
    supergraphSdl,
    logger: silentLogger,
    buildService: ({ url }) => new AuthorizationForwardingDataSource({ url }),
  });
  const server = new ApolloServer<ClientContext>({ gateway, logger: silentLogger });
  const { url } = await startStandaloneServer(server, {
    listen: { host: '127.0.0.1', port: 0 },
    context: async ({ req }) => ({ authorization: req.headers.authorization ?? null }),
  });
  return { url, query: (query, variables, headers) => postGraphQL(url, query, variables, headers), close: () => server.stop() };
}

export interface HiveGatewayOptions {
  /** Hive Gateway's demand control in enforce mode: operations estimated above this are refused. */
  readonly maxCost: number;
}

/**
 * A real Hive Gateway (@graphql-hive/gateway-runtime) over the supergraph, served by node:http. Like a
 * router in front of us it forwards the client's Authorization to every subgraph, and its demand control
 * estimates each subgraph request from the supergraph's @cost/@listSize, refusing the operation before
 * that request is sent; the estimate is in extensions.cost of every answer.
 */
export async function startHiveGateway(supergraphSdl: string, options: HiveGatewayOptions): Promise<FederationGateway> {
  // Loaded here, not at the top: the @apollo/gateway tests that share this module don't pay for it.
  const { createGatewayRuntime } = await import('@graphql-hive/gateway-runtime');
  const runtime = createGatewayRuntime({
    supergraph: supergraphSdl,
    logging: false,
    maskedErrors: false,
    propagateHeaders: { fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }) },
    demandControl: { maxCost: options.maxCost, includeExtensionMetadata: true },
  });
  const server = createServer((req, res) => void runtime(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return {
    url,
    query: (query, variables, headers) => postGraphQL(url, query, variables, headers),
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.dispose();
    },
  };
}

async function postGraphQL(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<GraphQLAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLAnswer['body'] };
}
