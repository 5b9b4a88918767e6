import type {
  CallConnectionResolvers,
  CallEdgeResolvers,
  DeflectionEventConnectionResolvers,
  DeflectionEventEdgeResolvers,
  DeflectionEventResolvers,
} from '../generated/resolvers.js';
import type { PageModel } from './models.js';

/** Relay connection fields, the same for every page type: edges are made only when asked for (`nodes` and `totalCount` are the page's own). */
function connectionFields<T>() {
  return {
    edges: (page: PageModel<T>) => page.nodes.map((node) => ({ cursor: page.cursorOf(node), node })),
    pageInfo: (page: PageModel<T>) => ({
      hasNextPage: page.hasNextPage,
      endCursor: page.nodes.length > 0 ? page.cursorOf(page.nodes[page.nodes.length - 1]!) : null,
    }),
  };
}

export const CallConnection: CallConnectionResolvers = connectionFields();
export const DeflectionEventConnection: DeflectionEventConnectionResolvers = connectionFields();
export const CallEdge: CallEdgeResolvers = {};
export const DeflectionEventEdge: DeflectionEventEdgeResolvers = {};

export const DeflectionEvent: DeflectionEventResolvers = {};
