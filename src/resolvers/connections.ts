import type {
  CallConnectionResolvers,
  CallEdgeResolvers,
  DeflectionEventConnectionResolvers,
  DeflectionEventEdgeResolvers,
  DeflectionEventResolvers,
} from '../generated/resolvers.js';
import type { PageModel } from './models.js';

/** Relay connection fields, the same for every page type: edges are made only when asked for. */
function connectionFields<T>() {
  return {
    edges: (page: PageModel<T>) => page.items.map((node) => ({ cursor: page.cursorOf(node), node })),
    nodes: (page: PageModel<T>) => page.items,
    totalCount: (page: PageModel<T>) => page.totalCount,
    pageInfo: (page: PageModel<T>) => ({
      hasNextPage: page.hasNextPage,
      endCursor: page.items.length > 0 ? page.cursorOf(page.items[page.items.length - 1]!) : null,
    }),
  };
}

export const CallConnection: CallConnectionResolvers = connectionFields();
export const DeflectionEventConnection: DeflectionEventConnectionResolvers = connectionFields();
export const CallEdge: CallEdgeResolvers = {};
export const DeflectionEventEdge: DeflectionEventEdgeResolvers = {};

export const DeflectionEvent: DeflectionEventResolvers = {
  type: (event) => event.kind,
};
