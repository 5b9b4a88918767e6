import { compareSortKeys } from '../model/order.js';
import { encodeCursor, type CursorKey, type CursorScope } from './cursor.js';
import type { PageModel } from './models.js';

export interface PageRequest extends CursorScope {
  readonly first: number;
  /** The decoded `after` cursor: decoded before any data is loaded, so a bad one costs no upstream request. */
  readonly after: CursorKey | null;
}

/**
 * Keyset paging over a list already sorted ascending by `keyOf`. The page starts strictly after the
 * cursor's key, so a call that arrives between two page requests shifts nothing and no item is
 * repeated or skipped. DESC walks the same list from the end.
 */
export function pageOf<T>(
  sortedAscending: readonly T[],
  request: PageRequest,
  keyOf: (item: T) => CursorKey,
): PageModel<T> {
  const ordered = request.order === 'ASC' ? sortedAscending : [...sortedAscending].reverse();
  let start = 0;
  const { after } = request;
  if (after) {
    const direction = request.order === 'ASC' ? 1 : -1;
    start = firstIndexAfter(ordered, (item) => direction * compareSortKeys(keyOf(item), after) > 0);
  }
  const items = ordered.slice(start, start + request.first);
  return {
    items,
    totalCount: sortedAscending.length,
    hasNextPage: start + items.length < ordered.length,
    cursorOf: (item) => encodeCursor(request, keyOf(item)),
  };
}

/** Binary search: the list is sorted, so the predicate is false then true. */
function firstIndexAfter<T>(items: readonly T[], isAfter: (item: T) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (isAfter(items[mid]!)) high = mid;
    else low = mid + 1;
  }
  return low;
}
