import type { SubscriptionResolvers } from '../generated/resolvers.js';
import type { LiveItem } from '../live/callUpdateStream.js';
import type { CallUpdateModel } from '../model/callUpdate.js';
import { codedError, missingCredential } from '../errors/graphqlErrors.js';
import { callMatcher } from './filters.js';
import { validSiteId } from './siteId.js';

export const Subscription: SubscriptionResolvers = {
  callUpdates: {
    // Arguments and the credential are checked before anything is polled: a refused subscription costs nothing.
    subscribe: (_root, { siteId, filter, since }, { scope, live, fellBehind }) => {
      const site = validSiteId(siteId);
      if (!scope) throw missingCredential();
      return live.stream(scope, site, { matches: callMatcher(filter), since: since ?? null, fellBehind });
    },
    // An error item fails this one update (a GraphQL error with its code, data null); the stream goes on
    // unless the feed ended it.
    resolve: (item: LiveItem): CallUpdateModel => {
      if ('error' in item) throw codedError(item.error);
      return item.update;
    },
  },
};
