import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { getDirectiveValues, GraphQLIncludeDirective, GraphQLSkipDirective, Kind, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import type { GatewayContext } from '../context.js';
import { isSettledBucket } from '../model/buckets.js';

export interface CacheHintOptions {
  readonly bucketSizeMs: number;
  /** CACHE_SETTLE_AFTER: a bucket that ended this long ago is history. */
  readonly settleAfterMs: number;
  /** CACHE_SETTLED_TTL: how long the gateway itself keeps history, and the max-age it allows clients. */
  readonly settledTtlMs: number;
  readonly now?: () => number;
}

/** Root fields whose answers this gateway can vouch for; any other (`_entities`, `_service`) makes an answer uncacheable. */
const HINTED_ROOT_FIELDS: ReadonlySet<string> = new Set(['site', 'call']);
const UNCACHEABLE = 'no-store';

/**
 * HTTP caching of answers (Cache-Control), judged once per operation from what it read:
 * - scope `private` always: every answer depends on the credential it was read with;
 * - an answer may be kept for CACHE_SETTLED_TTL when every bucket its fields read (a range's buckets,
 *   the bucket a `Query.call` id names) is settled history, and not at all otherwise (calls still gain
 *   events). The operation's loader notes the latest bucket asked for (OperationContext.reads): the
 *   ranges' and ids' own buckets, so the latest is settled exactly when all of them are;
 * - `site` and `call` are the root fields it vouches for; an answer with another one (`_entities`,
 *   `_service`) or with none but `__typename` and introspection is not stored;
 * - an answer with errors is never stored.
 * The header is `max-age=N, private` or `no-store`, as Apollo's cache-control plugin would write it; that
 * plugin is turned off because it runs a hook on every field resolved, which cost the warm dashboard
 * (~1,500 fields) more than everything this judgement needs. The policy also goes into
 * `overallCachePolicy`, where RESPONSE_CACHE's plugin reads it: this plugin comes before that one, and
 * Apollo calls willSendResponse hooks in plugin order (this one sets the policy before any await).
 */
export function createCacheHintPlugins(options: CacheHintOptions): ApolloServerPlugin<GatewayContext>[] {
  const now = options.now ?? Date.now;
  const settledMaxAge = Math.floor(options.settledTtlMs / 1000);
  const hints: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async willSendResponse({ response, overallCachePolicy, metrics, document, operation, request, contextValue }) {
          // A response-cache hit brings the policy it was stored with.
          if (!metrics.responseCacheHit && document && operation) {
            const roots = rootFieldNames(operation.selectionSet, document.definitions, request.variables ?? {});
            const vouched = roots.size > 0 && [...roots].every((name) => HINTED_ROOT_FIELDS.has(name));
            const latest = contextValue.operation.reads.latest;
            const settled = latest === null || isSettledBucket(latest, options.bucketSizeMs, options.settleAfterMs, now());
            overallCachePolicy.restrict({ maxAge: vouched && settled ? settledMaxAge : 0, scope: 'PRIVATE' });
          }
          const policy = overallCachePolicy.policyIfCacheable();
          const cacheable = policy && response.body.kind === 'single' && !response.body.singleResult.errors;
          response.http.headers.set('cache-control', cacheable ? `max-age=${policy.maxAge}, ${policy.scope.toLowerCase()}` : UNCACHEABLE);
        },
      };
    },
  };
  return [hints, ApolloServerPluginCacheControlDisabled()];
}

/**
 * The root fields an operation executes, as graphql-js collects them: through fragments, skipping what
 * `@skip`/`@include` leave out; meta fields (`__typename`, `__schema`, `__type`) are not counted.
 */
function rootFieldNames(
  selectionSet: SelectionSetNode,
  definitions: readonly { readonly kind: string }[],
  variables: Readonly<Record<string, unknown>>,
  names = new Set<string>(),
): Set<string> {
  for (const selection of selectionSet.selections) {
    if (!included(selection, variables)) continue;
    if (selection.kind === Kind.FIELD) {
      if (!selection.name.value.startsWith('__')) names.add(selection.name.value);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      rootFieldNames(selection.selectionSet, definitions, variables, names);
    } else {
      const fragment = definitions.find(
        (definition): definition is FragmentDefinitionNode =>
          definition.kind === Kind.FRAGMENT_DEFINITION && (definition as FragmentDefinitionNode).name.value === selection.name.value,
      );
      if (fragment) rootFieldNames(fragment.selectionSet, definitions, variables, names);
    }
  }
  return names;
}

function included(node: SelectionSetNode['selections'][number], variables: Readonly<Record<string, unknown>>): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}
