import type { CallResolvers } from '../generated/resolvers.js';
import { loadCall } from '../loaders/callsInRange.js';
import { maskCallerInfo, maskCallerInfoRaw } from '../model/masking.js';
import { phoneNumberOf } from './phone.js';
import { encodeCallId } from '../model/callId.js';
import { decodeCallIdAt } from './globalId.js';
import { representationId } from './representation.js';

export const Call: CallResolvers = {
  // Federation: a representation's id carries site and begin time, so this joins the same batched
  // bucket loads as Query.call (one upstream request per window for any number of entities).
  // async because @apollo/subgraph maps the representations synchronously: a throw here would fail the
  // whole _entities batch, a rejection fails only this entity. The entity is an object of its own:
  // @apollo/subgraph defines __typename on it, and cached models are shared. Its prototype is the model,
  // not a spread of it: cached calls are views whose fields are getters (src/pack/packedCall.ts).
  __resolveReference: async (reference, context) => {
    const { siteId, callId, beginTime } = decodeCallIdAt(representationId(reference, 'Call'), Date.now());
    const call = await loadCall(context.loaders.calls, siteId, callId, beginTime, context.settings.bucketSizeMs);
    return call && (Object.create(call) as typeof call);
  },
  id: (call) => encodeCallId(call),
  site: (call) => ({ id: call.siteId }),
  callerInfo: (call, _args, { settings }) => (settings.maskPii && call.callerInfo ? maskCallerInfo(call.callerInfo) : call.callerInfo),
  callerInfoRaw: (call, _args, { settings }) =>
    settings.maskPii && call.callerInfoRaw !== null ? maskCallerInfoRaw(call.callerInfoRaw) : call.callerInfoRaw,
  conversation: (call) => (call.conversationId ? { id: call.conversationId } : null),
  customerPhone: (call, _args, { settings }) => phoneNumberOf(call.customerCountryCode, call.customerPhoneNumber, settings.maskPii),
  dialedPhone: (call, _args, { settings }) => phoneNumberOf(call.dialedCountryCode, call.dialedPhoneNumber, settings.maskPii),
  events: (call, { types }) => {
    if (!types) return call.events;
    const wanted = new Set(types);
    return call.events.filter((event) => wanted.has(event.type));
  },
};
