import { rememberAnswers } from './rememberAnswers.js';

export interface CallIdentity {
  readonly siteId: string;
  readonly callId: string;
  readonly beginTime: number;
}

const PREFIX = 'Call:';
const NOT_A_CALL_ID = 'not a Call id';

/**
 * Call.id carries the begin time along with site and callId, so Query.call and federation's
 * _entities can fetch the one bucket that holds the call instead of scanning. Opaque to clients
 * (base64url), versioned by its prefix.
 */
export function encodeCallId({ siteId, callId, beginTime }: CallIdentity): string {
  return Buffer.from(`${PREFIX}${siteId}:${beginTime}:${callId}`).toString('base64url');
}

/** What encodeCallId encoded, or null for anything it did not make. */
export function parseCallId(id: string): CallIdentity | null {
  const identity = parseRemembered(id);
  return identity === NOT_A_CALL_ID ? null : identity;
}

// Remembered: Query.call, _entities and the cache hints all parse each id, and a polled dashboard sends the same ones.
const parseRemembered = rememberAnswers((id: string): CallIdentity | typeof NOT_A_CALL_ID => {
  const text = /^[A-Za-z0-9_-]{1,400}$/.test(id) ? Buffer.from(id, 'base64url').toString('utf8') : '';
  const match = /^Call:(\d{1,20}):(\d{1,16}):(.+)$/s.exec(text);
  if (!match) return NOT_A_CALL_ID;
  return Object.freeze({ siteId: match[1]!, beginTime: Number(match[2]), callId: match[3]! });
}, 4_096);
