import type { CallModel } from './call.js';

/** NEW: the first update about a call to one subscriber; CHANGED: any later one. The GraphQL enum's values. */
type CallUpdateKind = 'NEW' | 'CHANGED';

/** One update of Subscription.callUpdates, as one subscriber receives it. */
export interface CallUpdateModel {
  readonly kind: CallUpdateKind;
  readonly call: CallModel;
  /** Epoch ms when the gateway saw the change (the poll that read it). */
  readonly at: number;
}

/**
 * What identifies a call's state for change detection: the upstream only ever adds events to a call,
 * so the count, the latest event time and the conversation id change whenever anything a client sees does.
 */
export function callVersion(call: CallModel): string {
  return `${call.events.length}|${call.lastEventTime ?? ''}|${call.stage}|${call.conversationId ?? ''}`;
}
