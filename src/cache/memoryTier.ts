import { LRUCache } from 'lru-cache';
import type { CallPack } from '../pack/callPack.js';

/**
 * Heap a pack's views take once every call is read by position (a PackedCall, 48 bytes, and its slot in
 * the list), on top of the pack's own bytes, and the string header of each callId a view keeps once read
 * (its text is counted from the pack: 2 bytes a UTF-8 byte at most). The most they take, as a view is
 * made only when its call is read.
 */
const VIEW_BYTES_PER_CALL = 56 + 24;
const ENTRY_BYTES = 200;

/**
 * The in-process tier: one CallPack per bucket, in an LRU bounded by the bytes they hold. Packs, not
 * wire JSON nor object models: ~10x smaller than the wire, outside the JS heap, and a hit costs no
 * parsing at all.
 */
export class MemoryTier {
  private readonly lru: LRUCache<string, CallPack>;

  /** `now` is for tests with a fake clock; TTLs then follow it exactly. */
  constructor(maxBytes: number, now?: () => number) {
    this.lru = new LRUCache<string, CallPack>({
      maxSize: maxBytes,
      sizeCalculation: (pack, key) => bytesOf(pack, key),
      ...(now ? { perf: { now }, ttlResolution: 0 } : {}),
    });
  }

  get(key: string): CallPack | undefined {
    return this.lru.get(key);
  }

  set(key: string, pack: CallPack, ttlMs: number): void {
    this.lru.set(key, pack, { ttl: ttlMs });
  }

  /** What the entries hold, by the same count the bound uses. */
  get bytes(): number {
    return this.lru.calculatedSize;
  }

  get size(): number {
    return this.lru.size;
  }

  clear(): void {
    this.lru.clear();
  }
}

/** What an entry costs: the pack, its views once read, and the entry itself. */
function bytesOf(pack: CallPack, key: string): number {
  return ENTRY_BYTES + 2 * key.length + pack.byteLength + VIEW_BYTES_PER_CALL * pack.count + 2 * pack.callIdBytes;
}
