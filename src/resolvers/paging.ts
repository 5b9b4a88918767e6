import type { PositionalList } from '../model/positionalList.js';
import { compareSortKeys } from '../model/order.js';
import { encodeCursor, type CursorKey, type CursorScope } from './cursor.js';
import type { PageModel } from './models.js';

export interface PageRequest extends CursorScope {
  readonly first: number;
  /** The decoded `after` cursor: decoded before any data is loaded, so a bad one costs no upstream request. */
  readonly after: CursorKey | null;
}

/**
 * Keyset paging over a list already sorted ascending by `keyOf`: an array, or a range of cached
 * buckets read in place. The page starts strictly after the cursor's key, so a call that arrives
 * between two page requests shifts nothing and no item is repeated or skipped. DESC walks the same
 * list from the end.
 */
export function pageOf<T>(sortedAscending: PositionalList<T>, request: PageRequest, keyOf: (item: T) => CursorKey): PageModel<T> {
  const count = sortedAscending.length;
  const ascending = request.order === 'ASC';
  // DESC reads the list from the end by index: a reversed copy of a whole range per request is garbage.
  const at = ascending ? (position: number) => sortedAscending.at(position)! : (position: number) => sortedAscending.at(count - 1 - position)!;
  let start = 0;
  const { after } = request;
  if (after) {
    const direction = ascending ? 1 : -1;
    start = firstPositionAfter(count, (position) => direction * compareSortKeys(keyOf(at(position)), after) > 0);
  }
  const end = Math.min(start + request.first, count);
  const nodes: T[] = [];
  for (let position = start; position < end; position++) nodes.push(at(position));
  return {
    nodes,
    totalCount: count,
    hasNextPage: end < count,
    cursorOf: (item) => encodeCursor(request, keyOf(item)),
  };
}

/** Binary search over positions 0..count: the list is sorted, so the predicate is false then true. */
function firstPositionAfter(count: number, isAfter: (position: number) => boolean): number {
  let low = 0;
  let high = count;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (isAfter(mid)) high = mid;
    else low = mid + 1;
  }
  return low;
}
