import type { SiteResolvers } from '../generated/resolvers.js';
import { loadCallRange, loadCallsInRange } from '../loaders/callsInRange.js';
import { loadTimeline } from '../loaders/timelineInRange.js';
import { andThen } from '../model/maybePromise.js';
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

  // The range fields are not async: a range whose buckets are in memory is answered at once (CallsLoader.buckets).

  calls(site, { from, to, filter, order, first, after }, { loaders, settings }) {
    const range = validRange(from, to, settings.maxRangeMs);
    const request = { field: 'calls', order, first: validPageSize(first) } as const;
    const afterKey = after ? decodeCursor(after, request, CALL_KEY_SHAPE) : null;
    const page = { ...request, after: afterKey };
    // Without a filter the page is read from the range in place: its count is the range's length.
    if (!filter)
      return andThen(loadCallRange(loaders.calls, site.id, range.from, range.to, settings.bucketSizeMs), (calls) => pageOf(calls, page, callSortKey));
    return andThen(loadCallsInRange(loaders.calls, site.id, range.from, range.to, settings.bucketSizeMs), (calls) =>
      pageOf(callsMatching(calls, filter), page, callSortKey),
    );
  },

  events(site, { from, to, filter, order, first, after }, { loaders, settings }) {
    const range = validRange(from, to, settings.maxRangeMs);
    const request = { field: 'events', order, first: validPageSize(first) } as const;
    const afterKey = after ? decodeCursor(after, request, EVENT_KEY_SHAPE) : null;
    const matches = eventMatcher(filter);
    return andThen(loadCallsInRange(loaders.calls, site.id, range.from, range.to, settings.bucketSizeMs), (calls) => {
      const events = calls.flatMap((call) => call.events.filter(matches)).sort(compareEvents);
      return pageOf(events, { ...request, after: afterKey }, eventSortKey);
    });
  },

  stats(site, { from, to, filter }, { loaders, settings }) {
    const range = validRange(from, to, settings.maxRangeMs);
    // Without a filter, the figures of a one-point timeline: summed from the tallies of the buckets the
    // range covers whole, so a warm 31-day range reads 744 tallies rather than 200,000 calls.
    if (!filter) return andThen(loadTimeline(loaders.calls, site.id, [range.from, range.to], settings.bucketSizeMs), ([point]) => point!.stats);
    return andThen(loadCallsInRange(loaders.calls, site.id, range.from, range.to, settings.bucketSizeMs), (calls) =>
      deflectionStatsOf(callsMatching(calls, filter)),
    );
  },

  timeline(site, { from, to, interval, timeZone, filter }, { loaders, settings }) {
    const range = validRange(from, to, settings.maxRangeMs);
    const boundaries = validTimelineBoundaries(range, interval, validTimeZone(timeZone), settings.maxTimelinePoints);
    if (!filter) return loadTimeline(loaders.calls, site.id, boundaries, settings.bucketSizeMs);
    return andThen(loadCallsInRange(loaders.calls, site.id, range.from, range.to, settings.bucketSizeMs), (calls) =>
      timelineOf(callsMatching(calls, filter), boundaries),
    );
  },
};
