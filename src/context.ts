import { setMaxListeners } from 'node:events';
import type { GraphQLError } from 'graphql';
import type { IncomingMessage } from 'node:http';
import type { BucketStore } from './cache/bucketStore.js';
import type { LiveHub } from './live/liveHub.js';
import { CallsLoader } from './loaders/callsLoader.js';
import type { Logger } from './logger.js';
import { emptyOperationCost, type OperationContext, type Scope } from './model/operation.js';
import { startOperationSpan } from './tracing/operationSpan.js';
import type { Telemetry } from './tracing/telemetry.js';

/** What every resolver of one GraphQL operation shares; made fresh per request by createContextFactory. */
export interface GatewayContext {
  readonly requestId: string;
  readonly logger: Logger;
  /** Null when neither the client nor the gateway has a credential: data fields fail UNAUTHENTICATED. */
  readonly scope: Scope | null;
  readonly operation: OperationContext;
  readonly loaders: { readonly calls: CallsLoader };
  readonly settings: ResolverSettings;
  /** The live feeds Subscription.callUpdates reads. */
  readonly live: LiveHub;
  /**
   * A subscription's transport, handed the SUBSCRIPTION_LIMIT error when its client fell LIVE_SEND_BUFFER updates
   * behind. Queued behind the updates the client is not reading, the error would never be sent: the WebSocket edge
   * sends it at once and closes the connection. Null over HTTP, where the error is the subscription's last update.
   */
  readonly fellBehind: ((error: GraphQLError) => void) | null;
}

/** The slice of Config that resolvers read. */
interface ResolverSettings {
  readonly bucketSizeMs: number;
  readonly maxRangeMs: number;
  readonly maxTimelinePoints: number;
  readonly maskPii: boolean;
}

export interface ContextFactoryOptions {
  readonly store: BucketStore;
  readonly fingerprint: (authorization: string) => string;
  /** LIVEDEFLECT_AUTHORIZATION: when set, the client's Authorization header is not used upstream. */
  readonly staticAuthorization: string | null;
  readonly operationDeadlineMs: number;
  /** MAX_OPERATION_WINDOWS: how many windows one operation's deadline signal may be listened to for at once. */
  readonly maxOperationWindows: number;
  readonly settings: ResolverSettings;
  readonly logger: Logger;
  /** When tracing is on, each operation gets its span here (src/plugins/tracing.ts names and ends it). */
  readonly telemetry?: Telemetry;
  readonly live: LiveHub;
}

const LISTENERS_PER_WINDOW = 4;

/**
 * One context per GraphQL request: its credential scope, its own DataLoader (a loader's cache must
 * never outlive the request, or one client would see another's data) and its cost counters.
 */
export function createContextFactory(options: ContextFactoryOptions): (req: IncomingMessage, requestId: string) => GatewayContext {
  return (req, requestId) => {
    const scope = scopeOf(options, options.staticAuthorization ?? headerText(req.headers.authorization));
    const traced = options.telemetry?.enabled ? { traceContext: startOperationSpan(options.telemetry) } : {};
    const signal = AbortSignal.timeout(options.operationDeadlineMs);
    // Each window listens while it waits for an upstream slot, while its request runs and while it decodes: a
    // 31-day range passes Node's default of 10 and would log a leak warning for listeners that all go away.
    setMaxListeners(LISTENERS_PER_WINDOW * options.maxOperationWindows, signal);
    const operation = {
      cost: emptyOperationCost(),
      deadline: Date.now() + options.operationDeadlineMs,
      signal,
      requestId,
      ...traced,
      reads: { latest: null },
    };
    return contextOf(options, scope, operation, new CallsLoader(options.store, scope, operation), null);
  };
}

/**
 * One context per subscription, over WebSocket (the credential comes from the connection: connectionParams or
 * the upgrade request) or over the HTTP callback protocol (from the router's request). A subscription lives
 * for hours: each update's nested reads get a deadline of their own, and its loader caches nothing (each
 * update reads the bucket store afresh).
 */
export function createSubscriptionContextFactory(
  options: ContextFactoryOptions,
): (authorization: string | null, requestId: string, fellBehind?: (error: GraphQLError) => void) => GatewayContext {
  return (clientAuthorization, requestId, fellBehind) => {
    const scope = scopeOf(options, options.staticAuthorization ?? headerText(clientAuthorization ?? undefined));
    const { operationDeadlineMs } = options;
    const operation = {
      cost: emptyOperationCost(),
      get deadline() {
        return Date.now() + operationDeadlineMs;
      },
      requestId,
      reads: { latest: null },
    };
    return contextOf(options, scope, operation, new CallsLoader(options.store, scope, operation, { cache: false }), fellBehind ?? null);
  };
}

function scopeOf(options: ContextFactoryOptions, authorization: string | null): Scope | null {
  return authorization ? { authorization, fingerprint: options.fingerprint(authorization) } : null;
}

function contextOf(
  options: ContextFactoryOptions,
  scope: Scope | null,
  operation: OperationContext,
  calls: CallsLoader,
  fellBehind: ((error: GraphQLError) => void) | null,
): GatewayContext {
  return {
    requestId: operation.requestId,
    logger: options.logger,
    scope,
    operation,
    loaders: { calls },
    settings: options.settings,
    live: options.live,
    fellBehind,
  };
}

function headerText(value: string | undefined): string | null {
  const text = value?.trim();
  return text ? text : null;
}
