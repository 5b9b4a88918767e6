import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { GatewayContext } from '../context.js';
import { ErrorCode } from '../model/errorCodes.js';
import type { Logger } from '../logger.js';
import { isCallbackSubscription } from '../plugins/subscriptionCallback.js';
import { BodyError, readJsonBody } from './body.js';
import { requestIdOf } from './requestId.js';
import type { ResponseDrain } from './responseDrain.js';
import { varyPrivateByAuthorization } from './vary.js';

export const GRAPHQL_PATH = '/graphql';

/** A route besides GraphQL: returns true when it answered the request. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean> | boolean;

export interface AppOptions {
  readonly apollo: ApolloServer<GatewayContext>;
  readonly contextFor: (req: IncomingMessage, requestId: string) => GatewayContext;
  /** A subscription's context (see context.ts), for a router's subscription over the HTTP callback protocol. */
  readonly subscriptionContextFor: (authorization: string | null, requestId: string) => GatewayContext;
  readonly maxBodyBytes: number;
  /** MAX_BATCH_SIZE when batched requests are allowed; null when they are not (Apollo refuses them). */
  readonly maxBatchSize: number | null;
  /** Tells every response to close its connection once a shutdown has begun. */
  readonly drain: ResponseDrain;
  readonly logger: Logger;
  /** Tried in order before GraphQL: GraphiQL, health, metrics. */
  readonly routes: readonly RouteHandler[];
}

/**
 * The HTTP edge: request ids, body limits and routing, then Apollo's executeHTTPGraphQLRequest.
 * Written on node:http rather than a framework because this is all the gateway needs from one.
 */
export function createRequestListener(options: AppOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    options.drain.track(res);
    handle(req, res, requestId, options).catch((error: unknown) => {
      options.logger.error({ requestId, err: error }, 'request failed outside GraphQL');
      if (!res.headersSent) sendJsonError(res, 500, 'Internal server error', ErrorCode.INTERNAL_SERVER_ERROR);
      else res.destroy();
    });
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, requestId: string, options: AppOptions): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
  } catch {
    sendJsonError(res, 400, 'Malformed request target: request /graphql', ErrorCode.BAD_REQUEST);
    return;
  }
  if (url.pathname === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
    res.writeHead(302, { location: GRAPHQL_PATH }).end();
    return;
  }
  for (const route of options.routes) {
    if (await route(req, res)) return;
  }
  if (url.pathname !== GRAPHQL_PATH) {
    sendJsonError(res, 404, `Not found: GraphQL is served at ${GRAPHQL_PATH}`, ErrorCode.NOT_FOUND);
    return;
  }
  let body: unknown;
  try {
    body = req.method === 'POST' ? await readJsonBody(req, options.maxBodyBytes) : undefined;
  } catch (error) {
    if (!(error instanceof BodyError)) throw error;
    // Refused unread: the rest of an oversized body must not be read, so the connection ends with this answer.
    if (error.status === 413) res.setHeader('connection', 'close');
    sendJsonError(res, error.status, error.message, error.status === 413 ? ErrorCode.PAYLOAD_TOO_LARGE : ErrorCode.BAD_REQUEST);
    return;
  }
  if (Array.isArray(body) && options.maxBatchSize !== null && body.length > options.maxBatchSize) {
    sendJsonError(
      res,
      400,
      `The batch holds ${body.length} operations; at most ${options.maxBatchSize} are allowed (MAX_BATCH_SIZE): send fewer operations per request`,
      ErrorCode.QUERY_TOO_COMPLEX,
      { limit: 'MAX_BATCH_SIZE', max: options.maxBatchSize, found: body.length },
    );
    return;
  }
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const response = await options.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body },
    // A callback subscription lives on after this request, for hours: it gets a subscription's context.
    context: async () =>
      isCallbackSubscription(body)
        ? options.subscriptionContextFor(req.headers.authorization ?? null, requestId)
        : options.contextFor(req, requestId),
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  varyPrivateByAuthorization(res);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** Errors outside GraphQL execution still answer in the GraphQL response shape, so clients parse one format. */
export function sendJsonError(res: ServerResponse, status: number, message: string, code: ErrorCode, extensions: Record<string, unknown> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code, ...extensions } }] }));
}
