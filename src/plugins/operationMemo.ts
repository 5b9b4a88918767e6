import { LRUCache } from 'lru-cache';
import type { OperationDefinitionNode } from 'graphql';

/** Rough bytes of an entry besides its key and value: the LRU's own node, arrays and the key's string header. */
const ENTRY_OVERHEAD_BYTES = 128;

/**
 * What the request plugins remember per (document, operation, variables), bounded by bytes. Keys
 * hold the variables' JSON, which a client chooses: counting entries would let ever-larger variables
 * grow it without end. One entry may take at most 1/64 of the whole, so a few huge requests can't
 * flush what a dashboard reuses (such requests are simply checked every time).
 */
export class OperationMemo<V extends NonNullable<unknown>> {
  private readonly lru: LRUCache<string, V>;

  constructor(maxBytes: number, valueBytes: (value: V) => number) {
    this.lru = new LRUCache<string, V>({
      maxSize: maxBytes,
      maxEntrySize: Math.max(1, Math.floor(maxBytes / 64)),
      sizeCalculation: (value, key) => ENTRY_OVERHEAD_BYTES + 2 * key.length + valueBytes(value),
    });
  }

  get(key: string): V | undefined {
    return this.lru.get(key);
  }

  set(key: string, value: V): void {
    this.lru.set(key, value);
  }
}

/**
 * What a verdict on an operation depends on: its document (by Apollo's hash of the query text), the
 * operation and the values of the variables it declares (only they can change a cost). Null when those
 * can't be written down (absurdly deep JSON): such a request is checked every time.
 */
export function operationKey(queryHash: string, operation: OperationDefinitionNode, variables: Record<string, unknown>): string | null {
  // [value] when sent, [] when omitted: an omitted variable takes its default, an explicit null does not.
  const declared = (operation.variableDefinitions ?? []).map(({ variable }) =>
    Object.hasOwn(variables, variable.name.value) ? [variables[variable.name.value]] : [],
  );
  try {
    return `${queryHash}\n${operation.name?.value ?? ''}\n${JSON.stringify(declared)}`;
  } catch {
    return null;
  }
}
