import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, getOperationAST, parse, specifiedRules, validate, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { GatewayContext } from '../context.js';
import { ErrorCode } from '../model/errorCodes.js';
import type { ErrorFormatter } from '../errors/formatError.js';
import { subscriptionLimit } from '../errors/graphqlErrors.js';
import { createOperationLimits, type RequestLimits } from '../plugins/limits.js';
import { knownOperationTypesRule } from '../plugins/knownOperationTypesRule.js';
import { GRAPHQL_PATH } from './app.js';
import { requestIdOf } from './requestId.js';

export interface WebSocketOptions {
  readonly schema: GraphQLSchema;
  /** A subscription's context from the connection's credential (null: none given), and what to do when its client falls behind. */
  readonly contextFor: (authorization: string | null, requestId: string, fellBehind: (error: GraphQLError) => void) => GatewayContext;
  readonly limits: RequestLimits;
  /** MAX_SUBSCRIPTIONS_PER_CONNECTION */
  readonly maxSubscriptionsPerConnection: number;
  /** LIVE_KEEPALIVE */
  readonly keepAliveMs: number;
  /** Largest message a client may send (MAX_BODY_BYTES, as for an HTTP body). */
  readonly maxMessageBytes: number;
  /** How errors reach clients: as over HTTP (formatError.ts). */
  readonly formatError: ErrorFormatter;
  /** Whether the upgrade request's origin may open a socket: the HTTP edge's CORS rule (CORS_ORIGINS, originPolicy.ts). */
  readonly isOriginAllowed: (headers: IncomingHttpHeaders) => boolean;
}

export interface WebSocketEdge {
  /** Lets the subscriptions' completions reach their clients (up to timeoutMs), then closes every socket with 1001. */
  close(timeoutMs: number): Promise<void>;
}

/**
 * A client that fell LIVE_SEND_BUFFER updates behind is not reading its socket. It is sent the subscription's
 * SUBSCRIPTION_LIMIT error at once (queued behind the updates it has not read), then the socket is closed (1008,
 * policy violation) with the reason; ws sends the close frame after what is queued, and drops a client that
 * never reads it (30 s). Every subscription of the connection ends: they share the socket it does not read.
 */
function closeFellBehind(socket: WebSocket, id: string, error: GraphQLError, formatError: ErrorFormatter): void {
  socket.send(JSON.stringify({ id, type: 'error', payload: [formatError(error.toJSON(), error)] }));
  socket.close(1008, 'Fell LIVE_SEND_BUFFER updates behind: read updates faster, or subscribe to fewer');
}

/** Longest Authorization accepted in connectionParams, as Node bounds a header line. */
const MAX_AUTHORIZATION_LENGTH = 16 * 1024;

/** What a connection's connection_init said, validated once. */
type ConnectionCredential = { readonly ok: true; readonly authorization: string | null } | { readonly ok: false; readonly message: string };

type Extra = { socket: WebSocket; request: IncomingMessage };

/**
 * GraphQL over WebSocket (graphql-ws, the `graphql-transport-ws` subprotocol) on /graphql. The operation
 * runs through graphql-js, not Apollo, so this module applies what Apollo's path applies to a query: the
 * request limits, error normalization (every error has its code), and the credential rule: the gateway's
 * own, else connectionParams.Authorization, else the upgrade request's Authorization header.
 */
export function attachWebSocket(server: Server, options: WebSocketOptions): WebSocketEdge {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes });
  const limits = createOperationLimits(options.limits);
  const credentials = new WeakMap<object, ConnectionCredential>();
  let active = 0;
  let idle: (() => void) | null = null;
  const finished = (): void => {
    active--;
    // graphql-ws sends the complete message after this hook returns: the sockets close after it is written.
    if (active === 0 && idle) setImmediate(idle);
  };

  const graphqlWs = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema: options.schema,
      onConnect(ctx) {
        credentials.set(ctx, connectionCredential(ctx.connectionParams, ctx.extra.request));
        return true;
      },
      onSubscribe(ctx, id, payload) {
        const credential = credentials.get(ctx);
        if (!credential?.ok) return [coded(credential?.message ?? 'connection_init is required first', ErrorCode.BAD_REQUEST)];
        // graphql-ws registers the subscription before asking, so this one is counted.
        const open = Object.keys(ctx.subscriptions).length;
        if (open > options.maxSubscriptionsPerConnection) {
          return [
            subscriptionLimit(
              'MAX_SUBSCRIPTIONS_PER_CONNECTION',
              options.maxSubscriptionsPerConnection,
              `A connection may hold at most ${options.maxSubscriptionsPerConnection} subscriptions (MAX_SUBSCRIPTIONS_PER_CONNECTION): complete some, or open another connection`,
            ),
          ];
        }
        const tokens = limits.tokensError(payload.query);
        if (tokens) return [tokens];
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [coded(error instanceof GraphQLError ? error.message : 'Syntax error', ErrorCode.GRAPHQL_PARSE_FAILED)];
        }
        const invalid = validate(options.schema, document, [...specifiedRules, knownOperationTypesRule]);
        if (invalid.length > 0) return invalid.map((error) => withCode(error, ErrorCode.GRAPHQL_VALIDATION_FAILED));
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [coded('Name the operation to run (operationName): the document has several, or none', ErrorCode.BAD_REQUEST)];
        const variables = payload.variables ?? {};
        const limited = limits.operationError(options.schema, document, operation, variables);
        if (limited) return [limited];
        const requestId = requestIdOf(ctx.extra.request);
        return {
          schema: options.schema,
          document,
          operationName: payload.operationName,
          variableValues: variables,
          contextValue: options.contextFor(credential.authorization, `${requestId}-${randomUUID().slice(0, 8)}`, (error) =>
            closeFellBehind(ctx.extra.socket, id, error, options.formatError),
          ),
        };
      },
      onOperation() {
        active++;
      },
      onNext: (_ctx, _id, _payload, _args, result) => formattedResult(result, options.formatError),
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => options.formatError(error.toJSON(), error)),
      onComplete: finished,
    },
    wss,
    options.keepAliveMs,
  );

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = upgradeRefusal(req, options);
    if (refusal) {
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  return {
    async close(timeoutMs) {
      if (active > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          idle = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      await graphqlWs.dispose();
    },
  };
}

/** Why an upgrade request is refused, as an HTTP status line; null to accept it. */
function upgradeRefusal(req: IncomingMessage, options: WebSocketOptions): string | null {
  let path: string;
  try {
    path = new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return '400 Bad Request';
  }
  if (path !== GRAPHQL_PATH) return '404 Not Found';
  if (!options.isOriginAllowed(req.headers)) return '403 Forbidden';
  return null;
}

/** connectionParams are the client's: anything but an Authorization string (or none) is refused for every subscription. */
function connectionCredential(params: Record<string, unknown> | undefined, request: IncomingMessage): ConnectionCredential {
  const given = params?.Authorization ?? params?.authorization;
  if (given !== undefined && given !== null) {
    if (typeof given !== 'string' || given.length > MAX_AUTHORIZATION_LENGTH) {
      return { ok: false, message: `connectionParams.Authorization must be a string of at most ${MAX_AUTHORIZATION_LENGTH} characters` };
    }
    if (given.trim() !== '') return { ok: true, authorization: given.trim() };
  }
  const header = request.headers.authorization?.trim();
  return { ok: true, authorization: header ? header : null };
}

function formattedResult(result: ExecutionResult, formatError: ErrorFormatter): ExecutionResult {
  if (!result.errors) return result;
  // graphql-ws sends what this returns as it is: the errors, already in their formatted shape.
  const errors = result.errors.map((error) => formatError(error.toJSON(), error)) as unknown as readonly GraphQLError[];
  return { ...result, errors };
}

function coded(message: string, code: ErrorCode): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

function withCode(error: GraphQLError, code: ErrorCode): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code },
  });
}
