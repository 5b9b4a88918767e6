import type { SiteResolvers } from '../generated/resolvers.js';
import { loadCallRange, loadCallsInRange } from '../loaders/callsInRange.js';
import { loadTimeline } from '../loaders/timelineInRange.js';
import { callSortKey, compareEvents, eventSortKey } from '../model/order.js';
import { deflectionStatsOf } from '../model/stats.js';
import { timelineOf } from '../model/timeline.js';
import { callsMatching, eventMatcher } from './filters.js';
import { decodeCursor } from './cursor.js';
import { pageOf } from './paging.js';
import { validPageSize, validRange } from './rangeArgs.js';
import { representationId } from './representation.js';
import { validSiteId } from './siteId.js';
import { validTimelineBoundaries, validTimeZone } from './timelineArgs.js';

const CALL_KEY_SHAPE = ['number', 'string'] as const;
const EVENT_KEY_SHAPE = ['number', 'string', 'number'] as const;

export const Site: SiteResolvers = {
  // async: a rejection fails only this entity of an _entities batch, a throw would fail them all.
  __resolveReference: async (reference) => ({ id: validSiteId(representationId(reference, 'Site')) }),

  async calls(site, { from, to, filter, order, first, after }, { loaders, settings }) {
    const range = validRange(from, to, settings.maxRangeMs);
    const request = { field: 'calls', order, first: validPageSize(first) } as const;
    const afterKey = after ? decodeCursor(after, request, CALL_KEY_SHAPE) : null;
    const page = { ...request, after: afterKey };
    // Without a filter the page is read from the range in place: its count is the range's length.
    if (!filter) return pageOf(await loadCallRange(loaders.calls, site.id, range.from, range.to, settings.bucketSizeMs), page, callSortKey);
    const calls = await loadCallsInRange(loaders.calls, site.id, range.from, range.to, settings.bucketSizeMs);
    return pageOf(callsMatching(calls, filter), page, callSortKey);
  },

  async events(site, { from, to, filter, order, first, after }, { loaders, settings }) {
    const range = validRange(from, to, settings.maxRangeMs);
    const request = { field: 'events', order, first: validPageSize(first) } as const;
    const afterKey = after ? decodeCursor(after, request, EVENT_KEY_SHAPE) : null;
    const calls = await loadCallsInRange(loaders.calls, site.id, range.from, range.to, settings.bucketSizeMs);
    const matches = eventMatcher(filter);
    const events = calls.flatMap((call) => call.events.filter(matches)).sort(compareEvents);
    return pageOf(events, { ...request, after: afterKey }, eventSortKey);
  },

  async stats(site, { from, to, filter }, { loaders, settings }) {
    const range = validRange(from, to, settings.maxRangeMs);
    const calls = await loadCallsInRange(loaders.calls, site.id, range.from, range.to, settings.bucketSizeMs);
    return deflectionStatsOf(callsMatching(calls, filter));
  },

  async timeline(site, { from, to, interval, timeZone, filter }, { loaders, settings }) {
    const range = validRange(from, to, settings.maxRangeMs);
    const boundaries = validTimelineBoundaries(range, interval, validTimeZone(timeZone), settings.maxTimelinePoints);
    if (!filter) return loadTimeline(loaders.calls, site.id, boundaries, settings.bucketSizeMs);
    const calls = await loadCallsInRange(loaders.calls, site.id, range.from, range.to, settings.bucketSizeMs);
    return timelineOf(callsMatching(calls, filter), boundaries);
  },
};
