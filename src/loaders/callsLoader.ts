import DataLoader from 'dataloader';
import type { BucketStore } from '../cache/bucketStore.js';
import type { OperationContext, Scope } from '../model/operation.js';
import type { CallModel } from '../model/call.js';
import { missingCredential } from '../errors/graphqlErrors.js';

interface BucketKey {
  readonly siteId: string;
  readonly bucket: number;
}

export type CallsLoader = DataLoader<BucketKey, readonly CallModel[], string>;

/**
 * One loader per GraphQL operation. Every field that needs calls asks for (site, bucket) keys during
 * the same tick; DataLoader hands them to this batch function together, which is how aliases, repeated
 * ranges, Query.call lookups and federation's _entities end up as one upstream request per window.
 * The loader's own cache (per operation) then answers nested fields that ask again in a later tick.
 * A subscription lives for hours, so its loader keeps no cache (`cache: false`): each update reads the
 * bucket store afresh, and nothing the subscription read stays pinned in memory.
 */
export function createCallsLoader(
  store: BucketStore,
  scope: Scope | null,
  operation: OperationContext,
  options: { readonly cache?: boolean } = {},
): CallsLoader {
  return new DataLoader<BucketKey, readonly CallModel[], string>(
    async (keys) => {
      for (const { bucket } of keys) if (operation.reads.latest === null || bucket > operation.reads.latest) operation.reads.latest = bucket;
      if (!scope) {
        const error = missingCredential();
        return keys.map(() => error);
      }
      const bucketsBySite = new Map<string, number[]>();
      for (const { siteId, bucket } of keys) {
        const list = bucketsBySite.get(siteId) ?? [];
        list.push(bucket);
        bucketsBySite.set(siteId, list);
      }
      const resultsBySite = new Map(
        await Promise.all(
          [...bucketsBySite].map(async ([siteId, buckets]) => [siteId, await store.loadBuckets(scope, siteId, buckets, operation)] as const),
        ),
      );
      return keys.map(({ siteId, bucket }) => resultsBySite.get(siteId)?.get(bucket) ?? new Error(`bucket ${bucket} was not loaded`));
    },
    { cacheKeyFn: ({ siteId, bucket }) => `${siteId}|${bucket}`, cache: options.cache ?? true },
  );
}
