import type { Context } from '@opentelemetry/api';

/**
 * Request state the layers below the resolvers are handed (never import from a layer beside them): whose
 * data an operation reads, and what it may spend. src/context.ts builds it once per GraphQL request.
 */

/** Whose data: the credential sent upstream and its fingerprint, which keys every cache entry. */
export interface Scope {
  readonly authorization: string;
  readonly fingerprint: string;
}

/** The operation asking: where its cost is counted and when it must give up. */
export interface OperationContext {
  readonly cost: OperationCost;
  /** Epoch ms after which no upstream attempt or wait may start or continue. */
  readonly deadline: number;
  /** Aborts at the deadline: every wait (an upstream slot, an attempt, a decode thread) races it. */
  readonly signal?: AbortSignal;
  readonly requestId: string;
  /** The GraphQL operation span's context: window spans are its children and cache lookups its events. None when not traced. */
  readonly traceContext?: Context;
  /** Which buckets the operation's fields read, filled in by its loader: what the answer's cache hints judge by. */
  readonly reads: BucketReads;
}

interface BucketReads {
  /** Start of the latest bucket any field asked for; null while none has. */
  latest: number | null;
}

/**
 * What one GraphQL operation cost: filled in by the bucket store as it works, read by the cost
 * extension, the metrics and the log line at the end of the request.
 */
export interface OperationCost {
  upstreamRequests: number;
  windowsFetched: number;
  retries: number;
  retryWaitMs: number;
  callsOutsideWindow: number;
  cache: {
    memory: { hits: number; misses: number };
    redis: {
      hits: number;
      misses: number;
      /** Buckets another replica was fetching: this one waited for them to appear in Redis. */
      waited: number;
      waitMs: number;
    };
    /** Buckets another operation in this process was already loading: this one waited for that answer. */
    shared: number;
    /** 1 when the whole answer came from the response cache (RESPONSE_CACHE): nothing else was looked up. */
    response: { hits: number };
  };
}

export function emptyOperationCost(): OperationCost {
  return {
    upstreamRequests: 0,
    windowsFetched: 0,
    retries: 0,
    retryWaitMs: 0,
    callsOutsideWindow: 0,
    cache: { memory: { hits: 0, misses: 0 }, redis: { hits: 0, misses: 0, waited: 0, waitMs: 0 }, shared: 0, response: { hits: 0 } },
  };
}
