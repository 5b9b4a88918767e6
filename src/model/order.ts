import type { CallModel, EventModel } from './call.js';

/**
 * The one sort order of calls and events. Sorting and keyset paging both use these keys, so a cursor
 * (which holds a key) always points at the same place in the sorted list.
 */
/** The most items one page of a connection holds (`first`): the resolvers refuse more, the cost estimate assumes no more. */
export const MAX_PAGE_SIZE = 500;

export type SortKey = readonly (string | number)[];

export const callSortKey = (call: CallModel): SortKey => [call.beginTime, call.callId];
export const eventSortKey = (event: EventModel): SortKey => [event.time, event.call.callId, event.position];

/** Element by element; strings by code unit, which is stable whatever the locale. */
export function compareSortKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return a.length - b.length;
}

// The comparators below are compareSortKeys over callSortKey and eventSortKey, spelled out field by field:
// sorting compares often, and a key array per comparison is garbage. A unit test holds them equal.
export function compareCalls(a: CallModel, b: CallModel): number {
  return compareValues(a.beginTime, b.beginTime) || compareValues(a.callId, b.callId);
}

export function compareEvents(a: EventModel, b: EventModel): number {
  return compareValues(a.time, b.time) || compareValues(a.call.callId, b.call.callId) || a.position - b.position;
}

/** The comparison of one key element, as the comparators above make it (also for a pack's columns: CallPack.ascending). */
export function compareValues<T extends string | number>(x: T, y: T): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
