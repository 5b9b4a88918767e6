import { LRUCache } from 'lru-cache';
import type { CallModel } from '../model/call.js';

/**
 * The in-process tier: decoded call models per bucket, in an LRU bounded by an estimate of the bytes
 * they hold. Models, not wire JSON: the wire repeats every call field on every event, the model keeps
 * them once, and a hit then costs no parsing at all.
 */
export class MemoryTier {
  private readonly lru: LRUCache<string, readonly CallModel[]>;

  constructor(maxBytes: number) {
    this.lru = new LRUCache<string, readonly CallModel[]>({
      maxSize: maxBytes,
      sizeCalculation: (calls) => Math.max(1, estimateBytes(calls)),
    });
  }

  get(key: string): readonly CallModel[] | undefined {
    return this.lru.get(key);
  }

  set(key: string, calls: readonly CallModel[], ttlMs: number): void {
    this.lru.set(key, calls, { ttl: ttlMs });
  }

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

/** Rough heap size of decoded calls: strings at two bytes a character plus object overheads. */
export function estimateBytes(calls: readonly CallModel[]): number {
  let bytes = 64;
  for (const call of calls) {
    bytes += 240 + 2 * (call.callId.length + (call.callerInfoRaw?.length ?? 0) + (call.skill?.length ?? 0));
    bytes += 2 * ((call.externalCallId?.length ?? 0) + (call.conversationId?.length ?? 0) + (call.externalConsumerId?.length ?? 0));
    bytes += 2 * ((call.customerPhoneNumber?.length ?? 0) + (call.dialedPhoneNumber?.length ?? 0) + (call.callerEnteredDigits?.length ?? 0));
    for (const event of call.events) bytes += 96 + 2 * (event.info?.length ?? 0);
  }
  return bytes;
}
