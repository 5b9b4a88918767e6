import type { QueryResolvers } from '../generated/resolvers.js';
import { loadCall } from '../loaders/callsInRange.js';
import { decodeCallIdAt } from './globalId.js';
import { validSiteId } from './siteId.js';

export const Query: QueryResolvers = {
  site: (_parent, { id }) => ({ id: validSiteId(id) }),
  call: (_parent, { id }, context) => {
    const { siteId, callId, beginTime } = decodeCallIdAt(id, Date.now());
    return loadCall(context.loaders.calls, siteId, callId, beginTime, context.settings.bucketSizeMs);
  },
};
