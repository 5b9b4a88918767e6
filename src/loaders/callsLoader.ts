import DataLoader from 'dataloader';
import type { BucketStore } from '../cache/bucketStore.js';
import type { OperationContext, Scope } from '../model/operation.js';
import type { CallList } from '../model/call.js';
import type { MaybePromise } from '../model/maybePromise.js';
import { missingCredential } from '../errors/graphqlErrors.js';

interface BucketKey {
  readonly siteId: string;
  readonly bucket: number;
}

type Bucket = CallList;

/**
 * One loader per GraphQL operation: the calls of a site's buckets.
 *
 * Buckets the memory tier holds are answered at once, without a promise: a warm dashboard's 60 root
 * fields then resolve in the tick that asks, and the executor writes each subtree straight away. Every
 * other bucket goes through a DataLoader: every field that needs calls asks for (site, bucket) keys
 * during the same tick, and DataLoader hands them to the bucket store together, which is how aliases,
 * repeated ranges, Query.call lookups and federation's _entities end up as one upstream request per
 * window.
 *
 * What an operation has read, either way, it reads again the same: a bucket refreshed or evicted
 * between two of its fields changes nothing within it. A subscription lives for hours, so its loader
 * keeps nothing (`cache: false`): each update reads the bucket store afresh, and nothing the
 * subscription read stays pinned in memory.
 */
export class CallsLoader {
  /** Its cache (an operation's loader only) joins a field to the load of a bucket another field has under way. */
  private readonly loader: DataLoader<BucketKey, Bucket, string>;
  /** What this operation has read, by site and bucket; null for a subscription's loader. */
  private readonly read: Map<string, Map<number, Bucket>> | null;

  constructor(
    private readonly store: BucketStore,
    private readonly scope: Scope | null,
    private readonly operation: OperationContext,
    options: { readonly cache?: boolean } = {},
  ) {
    const cache = options.cache ?? true;
    this.read = cache ? new Map() : null;
    this.loader = new DataLoader<BucketKey, Bucket, string>((keys) => this.fromStore(keys), { cacheKeyFn: keyOf, cache });
  }

  /** The calls of each bucket, in the order asked; throws (or rejects with) the first bucket's error. */
  buckets(siteId: string, starts: readonly number[]): MaybePromise<Bucket[]> {
    this.noteRead(starts);
    const read = this.siteRead(siteId);
    const unknown = read ? starts.filter((bucket) => !read.has(bucket)) : starts;
    if (unknown.length > 0) {
      const peeked = this.scope ? this.store.peekBuckets(this.scope, siteId, unknown, this.operation) : null;
      if (!peeked) return this.load(siteId, starts, unknown);
      if (!read) return peeked;
      unknown.forEach((bucket, index) => read.set(bucket, peeked[index]!));
    }
    return starts.map((bucket) => read!.get(bucket)!);
  }

  /** The buckets not read yet through the DataLoader, the others as this operation read them. */
  private async load(siteId: string, starts: readonly number[], unknown: readonly number[]): Promise<Bucket[]> {
    const loaded = await this.loader.loadMany(unknown.map((bucket) => ({ siteId, bucket })));
    for (const bucket of loaded) if (bucket instanceof Error) throw bucket;
    const read = this.siteRead(siteId);
    return read ? starts.map((bucket) => read.get(bucket)!) : (loaded as Bucket[]);
  }

  private siteRead(siteId: string): Map<number, Bucket> | null {
    if (!this.read) return null;
    let site = this.read.get(siteId);
    if (!site) {
      site = new Map();
      this.read.set(siteId, site);
    }
    return site;
  }

  /** The cache hints judge the answer by the latest bucket any field asked for, however it was read. */
  private noteRead(starts: readonly number[]): void {
    const { reads } = this.operation;
    for (const bucket of starts) if (reads.latest === null || bucket > reads.latest) reads.latest = bucket;
  }

  private async fromStore(keys: readonly BucketKey[]): Promise<(Bucket | Error)[]> {
    const { scope } = this;
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
        [...bucketsBySite].map(async ([siteId, buckets]) => [siteId, await this.store.loadBuckets(scope, siteId, buckets, this.operation)] as const),
      ),
    );
    return keys.map(({ siteId, bucket }) => {
      const result = resultsBySite.get(siteId)?.get(bucket) ?? new Error(`bucket ${bucket} was not loaded`);
      if (result instanceof Error) return result;
      // A bucket a field of this operation read meanwhile stays as that field read it.
      const read = this.siteRead(siteId);
      if (!read) return result;
      if (!read.has(bucket)) read.set(bucket, result);
      return read.get(bucket)!;
    });
  }
}

/** What the range and call readers need of a loader: tests hand them fixed buckets through it. */
export type BucketReader = Pick<CallsLoader, 'buckets'>;

function keyOf({ siteId, bucket }: BucketKey): string {
  return `${siteId}|${bucket}`;
}
