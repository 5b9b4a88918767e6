import type { CallResolvers } from '../generated/resolvers.js';
import { loadCall } from '../loaders/callsInRange.js';
import { phoneNumberOf } from './phone.js';
import { decodeCallId, encodeCallId } from './globalId.js';

export const Call: CallResolvers = {
  // Federation: a representation's id carries site and begin time, so this joins the same batched
  // bucket loads as Query.call (one upstream request per window for any number of entities).
  __resolveReference: (reference, context) => {
    const { siteId, callId, beginTime } = decodeCallId(reference.id);
    return loadCall(context.loaders.calls, siteId, callId, beginTime, context.settings.bucketSizeMs);
  },
  id: (call) => encodeCallId(call),
  site: (call) => ({ id: call.siteId }),
  callerInfo: (call, _args, { settings }) => (settings.maskPii && call.callerInfo ? maskValues(call.callerInfo) : call.callerInfo),
  callerInfoRaw: (call, _args, { settings }) =>
    settings.maskPii && call.callerInfoRaw !== null ? (call.callerInfo ? JSON.stringify(maskValues(call.callerInfo)) : '[masked]') : call.callerInfoRaw,
  conversation: (call) => (call.conversationId ? { id: call.conversationId } : null),
  customerPhone: (call, _args, { settings }) => phoneNumberOf(call.customerCountryCode, call.customerPhoneNumber, settings.maskPii),
  dialedPhone: (call, _args, { settings }) => phoneNumberOf(call.dialedCountryCode, call.dialedPhoneNumber, settings.maskPii),
  events: (call, { types }) => {
    if (!types) return call.events;
    const wanted = new Set(types);
    return call.events.filter((event) => wanted.has(event.kind));
  },
};

/** MASK_PII keeps callerInfo's keys (a dashboard can still group by them) and hides every value. */
function maskValues(info: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(info).map((key) => [key, '****']));
}
