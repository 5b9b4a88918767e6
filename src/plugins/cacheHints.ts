import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { getNamedType, isCompositeType, type GraphQLField, type GraphQLResolveInfo } from 'graphql';
import type { GatewayContext } from '../context.js';
import { bucketStart, isSettledBucket } from '../model/buckets.js';
import { parseCallId } from '../model/callId.js';

export interface CacheHintOptions {
  readonly bucketSizeMs: number;
  /** CACHE_SETTLE_AFTER: a bucket that ended this long ago is history. */
  readonly settleAfterMs: number;
  /** CACHE_SETTLED_TTL: how long the gateway itself keeps history, and the max-age it allows clients. */
  readonly settledTtlMs: number;
  readonly now?: () => number;
}

/** What the cache-control plugin adds to `info` (the shape of @apollo/cache-control-types, without the dependency). */
interface CacheControlInfo {
  readonly cacheControl?: { setCacheHint(hint: { maxAge?: number; scope?: 'PUBLIC' | 'PRIVATE' }): void };
}

/** How a field bounds the answer's max-age. */
type FieldRule = 'range' | 'callId' | 'free' | 'default';

/**
 * HTTP caching of answers (Cache-Control), through Apollo's cache-control plugin:
 * - scope `private` always: every answer depends on the credential it was read with;
 * - a field over a time range (`from`/`to`: calls, events, stats) may be kept for CACHE_SETTLED_TTL
 *   when every bucket of the range is settled history, and not at all otherwise (calls still gain
 *   events); `Query.call` likewise by the bucket its id names;
 * - other object fields (a site by id, connections, pages, a call's events) hold nothing the upstream
 *   could change, so they don't bound the answer; root fields this does not know (`_entities`,
 *   `_service`) keep Apollo's default of 0.
 * Apollo sends `max-age=N, private` when every field allows N or more and the answer has no errors,
 * else `no-store`. Returns the cache-control plugin itself too, after this one: Apollo calls
 * willResolveField hooks in reverse plugin order, and that plugin's hook is what puts
 * `info.cacheControl` in place for this one.
 */
export function createCacheHintPlugins(options: CacheHintOptions): ApolloServerPlugin<GatewayContext>[] {
  const now = options.now ?? Date.now;
  const settledMaxAge = Math.floor(options.settledTtlMs / 1000);
  const rules = new WeakMap<GraphQLField<unknown, unknown>, FieldRule>();
  const isSettled = (lastTime: number): boolean =>
    isSettledBucket(bucketStart(lastTime, options.bucketSizeMs), options.bucketSizeMs, options.settleAfterMs, now());
  const hints: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async executionDidStart() {
          return {
            willResolveField({ info, args }) {
              const cacheControl = (info as GraphQLResolveInfo & CacheControlInfo).cacheControl;
              if (!cacheControl) return;
              const field = info.parentType.getFields()[info.fieldName];
              if (!field) return;
              let rule = rules.get(field);
              if (rule === undefined) {
                rule = ruleOf(field, info);
                rules.set(field, rule);
              }
              if (rule === 'default') return;
              let settled = true;
              if (rule === 'range') settled = isSettled(Number((args as { to: unknown }).to) - 1);
              if (rule === 'callId') settled = settledCall(args, isSettled);
              cacheControl.setCacheHint({ maxAge: settled ? settledMaxAge : 0, scope: 'PRIVATE' });
            },
          };
        },
      };
    },
  };
  return [hints, ApolloServerPluginCacheControl({ defaultMaxAge: 0 })];
}

function ruleOf(field: GraphQLField<unknown, unknown>, info: GraphQLResolveInfo): FieldRule {
  const argNames = new Set(field.args.map((arg) => arg.name));
  if (argNames.has('from') && argNames.has('to')) return 'range';
  const root = info.parentType === info.schema.getQueryType();
  if (root && field.name === 'call') return 'callId';
  if (root) return field.name === 'site' ? 'free' : 'default';
  return isCompositeType(getNamedType(field.type)) ? 'free' : 'default';
}

function settledCall(args: { id?: unknown }, isSettled: (time: number) => boolean): boolean {
  // A bad id fails in its resolver, and an answer with errors is never cacheable anyway.
  const identity = typeof args.id === 'string' ? parseCallId(args.id) : null;
  return identity !== null && isSettled(identity.beginTime);
}
