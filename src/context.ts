import type { IncomingMessage } from 'node:http';
import type { BucketStore } from './cache/bucketStore.js';
import { createCallsLoader, type CallsLoader } from './loaders/callsLoader.js';
import type { Logger } from './logger.js';
import { emptyOperationCost, type OperationContext, type Scope } from './model/operation.js';

/** What every resolver of one GraphQL operation shares; made fresh per request by createContextFactory. */
export interface GatewayContext {
  readonly requestId: string;
  readonly logger: Logger;
  /** Null when neither the client nor the gateway has a credential: data fields fail UNAUTHENTICATED. */
  readonly scope: Scope | null;
  readonly operation: OperationContext;
  readonly loaders: { readonly calls: CallsLoader };
  readonly settings: ResolverSettings;
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
  readonly settings: ResolverSettings;
  readonly logger: Logger;
}

/**
 * One context per GraphQL request: its credential scope, its own DataLoader (a loader's cache must
 * never outlive the request, or one client would see another's data) and its cost counters.
 */
export function createContextFactory(options: ContextFactoryOptions): (req: IncomingMessage, requestId: string) => GatewayContext {
  return (req, requestId) => {
    const authorization = options.staticAuthorization ?? headerText(req.headers.authorization);
    const scope = authorization ? { authorization, fingerprint: options.fingerprint(authorization) } : null;
    const operation = {
      cost: emptyOperationCost(),
      deadline: Date.now() + options.operationDeadlineMs,
      signal: AbortSignal.timeout(options.operationDeadlineMs),
      requestId,
      reads: { latest: null },
    };
    return {
      requestId,
      logger: options.logger,
      scope,
      operation,
      loaders: { calls: createCallsLoader(options.store, scope, operation) },
      settings: options.settings,
    };
  };
}

function headerText(value: string | undefined): string | null {
  const text = value?.trim();
  return text ? text : null;
}
