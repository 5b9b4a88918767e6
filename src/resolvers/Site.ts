import type { SiteResolvers } from '../generated/resolvers.js';
import { loadCallsInRange } from '../loaders/callsInRange.js';
import type { CallModel, EventModel } from '../model/call.js';
import { callMatcher, eventMatcher } from './filters.js';
import { pageOf } from './paging.js';
import { validPageSize, validRange } from './rangeArgs.js';
import { validSiteId } from './siteId.js';

const callKey = (call: CallModel) => [call.beginTime, call.callId] as const;
const eventKey = (event: EventModel) => [event.time, event.call.callId, event.position] as const;

export const Site: SiteResolvers = {
  __resolveReference: (reference) => ({ id: validSiteId(reference.id) }),

  async calls(site, { from, to, filter, order, first, after }, { loaders, settings }) {
    const range = validRange(from, to, settings.maxRangeMs);
    const pageSize = validPageSize(first);
    const calls = await loadCallsInRange(loaders.calls, site.id, range.from, range.to, settings.bucketSizeMs);
    return pageOf(calls.filter(callMatcher(filter)), { field: 'calls', order, first: pageSize, after }, callKey, ['number', 'string']);
  },

  async events(site, { from, to, filter, order, first, after }, { loaders, settings }) {
    const range = validRange(from, to, settings.maxRangeMs);
    const pageSize = validPageSize(first);
    const calls = await loadCallsInRange(loaders.calls, site.id, range.from, range.to, settings.bucketSizeMs);
    const matches = eventMatcher(filter);
    const events = calls.flatMap((call) => call.events.filter(matches)).sort(compareEvents);
    return pageOf(events, { field: 'events', order, first: pageSize, after }, eventKey, ['number', 'string', 'number']);
  },
};

function compareEvents(a: EventModel, b: EventModel): number {
  return a.time - b.time || (a.call.callId < b.call.callId ? -1 : a.call.callId > b.call.callId ? 1 : a.position - b.position);
}
