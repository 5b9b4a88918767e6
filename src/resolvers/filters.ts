import type { CallModel, EventModel } from '../model/call.js';
import type { CallFilter, EventFilter } from '../generated/resolvers.js';

/** A call matches when every criterion given holds; within a list, any value matches. */
export function callMatcher(filter: CallFilter | null | undefined): (call: CallModel) => boolean {
  if (!filter) return () => true;
  const types = filter.eventTypes ? new Set(filter.eventTypes) : null;
  const skills = filter.skills ? new Set(filter.skills) : null;
  const stages = filter.stages ? new Set(filter.stages) : null;
  const hasConversation = filter.hasConversation ?? null;
  return (call) =>
    (!types || call.events.some((event) => types.has(event.type))) &&
    (!skills || (call.skill !== null && skills.has(call.skill))) &&
    (!stages || stages.has(call.stage)) &&
    (hasConversation === null || (call.conversationId !== null) === hasConversation);
}

/** The calls of a range that match the filter: the range itself when there is no filter. */
export function callsMatching(calls: readonly CallModel[], filter: CallFilter | null | undefined): readonly CallModel[] {
  return filter ? calls.filter(callMatcher(filter)) : calls;
}

export function eventMatcher(filter: EventFilter | null | undefined): (event: EventModel) => boolean {
  if (!filter) return () => true;
  const types = filter.types ? new Set(filter.types) : null;
  const skills = filter.skills ? new Set(filter.skills) : null;
  return (event) => (!types || types.has(event.type)) && (!skills || (event.call.skill !== null && skills.has(event.call.skill)));
}
