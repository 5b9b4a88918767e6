import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context.js';
import { QueryLimitError, operationCost } from './limits.js';
import { OperationMemo, operationKey } from './operationMemo.js';
import { bucketsOfOperation, windowCount, type BucketsBySite, type WindowSettings } from './operationWindows.js';

/** The slice of Config this plugin reads. */
export interface OperationBudgetSettings extends WindowSettings {
  readonly maxOperationWindows: number;
  readonly maxCost: number;
  /** DOCUMENT_CACHE_BYTES: the bound of the remembered estimates. */
  readonly documentCacheBytes: number;
}

/** What one operation will load, remembered per (query text, operation, variables) like the limits' verdicts. */
interface Estimate {
  readonly buckets: BucketsBySite;
  readonly windows: number;
}

/** What the operations of one batched HTTP request have been granted so far. */
interface BatchTotals {
  readonly buckets: Map<string, Set<number>>;
  cost: number;
}

/**
 * The upstream budget of an operation: the distinct windows its fields will ask LiveDeflect for, counted
 * from its arguments before any resolver runs, at most MAX_OPERATION_WINDOWS. The field-cost limit
 * counts fields, not requests: fifty aliased sites of 31-day stats cost few fields and 1,550 windows,
 * and 5,000 Call ids in _entities five thousand. Counted as if nothing were cached, so whether an
 * operation is refused never depends on what other clients happened to warm.
 *
 * A batched HTTP request shares one loader, and is one client's request: its operations' windows are
 * counted together (a bucket two of them name counts once), and their field costs add up against
 * MAX_COST. The operation that would take the batch over a budget is refused; the others run.
 */
export function createOperationBudgetPlugin(settings: OperationBudgetSettings): ApolloServerPlugin<GatewayContext> {
  const estimates = new OperationMemo<Estimate>(settings.documentCacheBytes, ({ buckets }) => {
    let count = 0;
    for (const set of buckets.values()) count += set.size;
    return 64 * buckets.size + 16 * count;
  });
  // Keyed by the operation context, which the operations of a batch share (Apollo copies the context
  // object itself for each of them).
  const batches = new WeakMap<GatewayContext['operation'], BatchTotals>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, schema, request, queryHash, contextValue, requestIsBatched }) {
          if (!operation) return;
          const variables = request.variables ?? {};
          const key = operationKey(queryHash, operation, variables);
          let estimate = key === null ? undefined : estimates.get(key);
          if (estimate === undefined) {
            const buckets = bucketsOfOperation(schema, document, operation, variables, settings, settings.maxOperationWindows, Date.now());
            estimate = { buckets, windows: windowCount(buckets, settings) };
            if (key !== null) estimates.set(key, estimate);
          }
          if (!requestIsBatched) {
            if (estimate.windows > settings.maxOperationWindows) throw windowsError(estimate.windows, settings.maxOperationWindows, 'operation');
            return;
          }
          let totals = batches.get(contextValue.operation);
          if (!totals) batches.set(contextValue.operation, (totals = { buckets: new Map(), cost: 0 }));
          const union = unionOf(totals.buckets, estimate.buckets);
          const windows = windowCount(union, settings);
          if (windows > settings.maxOperationWindows) throw windowsError(windows, settings.maxOperationWindows, 'batch');
          const cost = totals.cost + (operationCost(schema, document, operation, variables, settings.maxCost) ?? 0);
          if (cost > settings.maxCost) {
            throw new QueryLimitError(
              'MAX_COST',
              settings.maxCost,
              `The operations of this batch may resolve ${cost} fields together; at most ${settings.maxCost} are allowed (MAX_COST): send fewer operations per batch, ask for smaller pages, or select fewer fields`,
              cost,
            );
          }
          totals.cost = cost;
          for (const [siteId, buckets] of union) totals.buckets.set(siteId, buckets);
        },
      };
    },
  };
}

/** The batch's buckets with the operation's added, as new sets: the batch keeps its own until the operation is granted. */
function unionOf(granted: ReadonlyMap<string, ReadonlySet<number>>, added: BucketsBySite): Map<string, Set<number>> {
  const union = new Map<string, Set<number>>();
  for (const [siteId, buckets] of added) union.set(siteId, new Set([...(granted.get(siteId) ?? []), ...buckets]));
  for (const [siteId, buckets] of granted) if (!union.has(siteId)) union.set(siteId, new Set(buckets));
  return union;
}

/** `windows` may be a lower bound: the estimate stops counting once it is certainly over (operationWindows.ts). */
function windowsError(windows: number, max: number, what: 'operation' | 'batch'): QueryLimitError {
  return new QueryLimitError(
    'MAX_OPERATION_WINDOWS',
    max,
    `The ${what} needs at least ${windows} upstream requests (one per site and window of LiveDeflect data); at most ${max} are allowed (MAX_OPERATION_WINDOWS): ask for shorter ranges or fewer sites and calls, or split it into several operations`,
    windows,
  );
}
