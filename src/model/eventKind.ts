/** The kinds of event the schema names; the values equal the GraphQL enum values. */
export type EventKind = 'CALL_START' | 'SKILL_CHOICE' | 'CHANNEL_OVERRIDE' | 'DEFLECTION_RESPONSE' | 'SEND_TEXT' | 'CONVERSATION_ID' | 'UNKNOWN';

const KIND_BY_WIRE_TYPE: ReadonlyMap<string, EventKind> = new Map([
  ['callstart', 'CALL_START'],
  ['skillchoice', 'SKILL_CHOICE'],
  ['ovrchan', 'CHANNEL_OVERRIDE'],
  ['deflresponse', 'DEFLECTION_RESPONSE'],
  ['sendtext', 'SEND_TEXT'],
  ['conversationid', 'CONVERSATION_ID'],
]);

/** Wire event types compare case-insensitively; new ones appear without notice and become UNKNOWN. */
export function eventKindOf(rawType: string): EventKind {
  return KIND_BY_WIRE_TYPE.get(rawType.toLowerCase()) ?? 'UNKNOWN';
}
