import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestContextWillSendResponse } from '@apollo/server';
import { LRUCache } from 'lru-cache';
import type { GatewayContext } from '../context.js';
import type { SerializedAnswers } from '../errors/stringifyResult.js';

/**
 * What a stored answer holds per byte of its JSON: the data objects (measured 1.8 bytes of heap per
 * byte with the dashboard's answer) and the JSON text itself, one byte a character.
 */
const BYTES_PER_JSON_BYTE = 3;

/** What Apollo's overall cache policy of an answer is when it may be kept: its max-age and scope. */
type KeptPolicy = NonNullable<ReturnType<GraphQLRequestContextWillSendResponse<GatewayContext>['overallCachePolicy']['policyIfCacheable']>>;

interface StoredAnswer {
  readonly data: Record<string, unknown>;
  readonly json: string;
  readonly policy: KeptPolicy;
  readonly storedAt: number;
}

export interface ResponseCacheOptions {
  /** RESPONSE_CACHE_MAX_BYTES: the bound of all stored answers together. */
  readonly maxBytes: number;
  /** Shared with the result stringifier: a stored answer's data is written from its stored JSON. */
  readonly serialized: SerializedAnswers;
  readonly now?: () => number;
}

/**
 * RESPONSE_CACHE=true: whole answers kept in memory for as long as their cache hints allow
 * (cacheHints.ts: settled history only, never an answer with errors), bounded by bytes.
 *
 * Every answer is `private`: it is stored under the credential's fingerprint, so one credential is
 * never answered from another's entry, and an answer without a credential is never stored. A hit
 * skips execution altogether: the dashboard a team reloads all day costs a lookup. The hit shows in
 * extensions.livedeflect as cache.response.hits, and in an `age` header as Apollo's plugin writes it.
 *
 * This is Apollo's response-cache plugin's behaviour with less work per hit, which is all this path
 * does: the key is Apollo's hash of the query (computed for its document store anyway) instead of a
 * hash of the whole query text again; an entry keeps its data as objects, not as JSON to parse on
 * every hit; and the stringifier writes a hit's data from the JSON kept beside it.
 */
export function createResponseCachePlugins(options: ResponseCacheOptions): ApolloServerPlugin<GatewayContext>[] {
  const now = options.now ?? Date.now;
  const answers = new LRUCache<string, StoredAnswer>({
    maxSize: options.maxBytes,
    sizeCalculation: (answer, key) => key.length + BYTES_PER_JSON_BYTE * answer.json.length,
  });
  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      let key: string | null = null;
      let hit: StoredAnswer | null = null;
      return {
        async responseForOperation({ operation, contextValue, queryHash, operationName, request, metrics, overallCachePolicy }) {
          metrics.responseCacheHit = false;
          const fingerprint = contextValue.scope?.fingerprint;
          if (operation.operation !== 'query' || !fingerprint) return null;
          key = `${fingerprint}\0${queryHash}\0${operationName ?? ''}\0${JSON.stringify(request.variables ?? {})}`;
          hit = answers.get(key) ?? null;
          if (!hit) return null;
          metrics.responseCacheHit = true;
          overallCachePolicy.replace(hit.policy);
          return { body: { kind: 'single', singleResult: { data: hit.data } }, http: { status: undefined, headers: new HeaderMap() } };
        },
        async willSendResponse({ response, overallCachePolicy, contextValue }) {
          if (hit) {
            contextValue.operation.cost.cache.response.hits++;
            response.http.headers.set('age', String(Math.round((now() - hit.storedAt) / 1000)));
            return;
          }
          if (key === null || response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          const policy = overallCachePolicy.policyIfCacheable();
          if (errors || !data || !policy) return;
          const json = JSON.stringify(data);
          options.serialized.set(data, json);
          answers.set(key, { data, json, policy, storedAt: now() }, { ttl: policy.maxAge * 1000 });
        },
      };
    },
  };
  return [plugin];
}
