import { badUserInput } from '../errors/graphqlErrors.js';
import { rememberAnswers } from './rememberAnswers.js';

export interface CallIdentity {
  readonly siteId: string;
  readonly callId: string;
  readonly beginTime: number;
}

const PREFIX = 'Call:';

/**
 * Call.id carries the begin time along with site and callId, so Query.call and federation's
 * _entities can fetch the one bucket that holds the call instead of scanning. Opaque to clients
 * (base64url), versioned by its prefix.
 */
export function encodeCallId({ siteId, callId, beginTime }: CallIdentity): string {
  return Buffer.from(`${PREFIX}${siteId}:${beginTime}:${callId}`).toString('base64url');
}

/** Throws BAD_USER_INPUT for anything encodeCallId did not make. Remembered: Query.call and cache hints both decode each id. */
export const decodeCallId: (id: string) => CallIdentity = rememberAnswers(decodeCallIdText, 4_096);

function decodeCallIdText(id: string): CallIdentity {
  const text = /^[A-Za-z0-9_-]{1,400}$/.test(id) ? Buffer.from(id, 'base64url').toString('utf8') : '';
  const match = /^Call:(\d{1,20}):(\d{1,16}):(.+)$/s.exec(text);
  if (!match) {
    throw badUserInput(`"${truncate(id)}" is not a Call id: use the id field of a Call returned by this API`, {
      argumentName: 'id',
    });
  }
  return Object.freeze({ siteId: match[1]!, beginTime: Number(match[2]), callId: match[3]! });
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
