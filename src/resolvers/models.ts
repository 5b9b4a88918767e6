import type { CallModel, EventModel } from '../model/call.js';

/** What Site's resolvers receive: a site is just its id until a field asks for data. */
export interface SiteModel {
  readonly id: string;
}

/**
 * One page of a sorted, filtered list, with what its connection fields need. `nodes` and `totalCount`
 * carry the connection fields' own names so that they need no resolver: graphql-jit reads a field
 * without one as a property, where a resolver costs a call, its arguments and its info object per page.
 */
export interface PageModel<T> {
  readonly nodes: readonly T[];
  readonly totalCount: number;
  readonly hasNextPage: boolean;
  readonly cursorOf: (item: T) => string;
}

export type CallConnectionModel = PageModel<CallModel>;
export type EventConnectionModel = PageModel<EventModel>;

export interface CallEdgeModel {
  readonly cursor: string;
  readonly node: CallModel;
}

export interface EventEdgeModel {
  readonly cursor: string;
  readonly node: EventModel;
}

export interface PhoneNumberModel {
  readonly countryCode: string | null;
  readonly number: string;
  readonly e164: string | null;
}

export interface ConversationModel {
  readonly id: string;
}
