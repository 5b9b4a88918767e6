import type { CallModel, EventModel } from './call.js';

/**
 * The one sort order of calls and events. Sorting and keyset paging both use these keys, so a cursor
 * (which holds a key) always points at the same place in the sorted list.
 */
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

export const compareCalls = (a: CallModel, b: CallModel): number => compareSortKeys(callSortKey(a), callSortKey(b));
export const compareEvents = (a: EventModel, b: EventModel): number => compareSortKeys(eventSortKey(a), eventSortKey(b));
