import type { OperationContext, Scope } from './cache/bucketStore.js';
import type { LiveHub } from './live/liveHub.js';
import type { CallsLoader } from './loaders/callsLoader.js';
import type { Logger } from './logger.js';

/** What every resolver of one GraphQL operation shares; made fresh per request by src/requestContext.ts. */
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
}

/** The slice of Config that resolvers read. */
export interface ResolverSettings {
  readonly bucketSizeMs: number;
  readonly maxRangeMs: number;
  readonly maskPii: boolean;
}
