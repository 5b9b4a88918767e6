/**
 * The string fields of a call, in column order: the one list the pack's writer, its reader and its views'
 * getters follow (a column added here is written, read and served with no other list to change).
 */
export const CALL_STRING_FIELDS = [
  'callId',
  'externalCallId',
  'skill',
  'callerEnteredDigits',
  'callerInfoRaw',
  'conversationId',
  'customerCountryCode',
  'customerPhoneNumber',
  'dialedCountryCode',
  'dialedPhoneNumber',
  'externalConsumerId',
] as const;

export type CallStringField = (typeof CALL_STRING_FIELDS)[number];
