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

/** How far past the clock a begin time may be: the upstream's clock and ours may differ, by far less than a day. */
const FUTURE_SLACK_MS = 86_400_000;

/**
 * decodeCallId, and BAD_USER_INPUT when the id's begin time is more than a day after now (its digits have no
 * sign, so it can't name a time before 1970): no call began then, and asking the upstream for that window
 * (year 318,857, say) would only cost a request. The clock is read here, not in decodeCallId, whose answers
 * are remembered.
 */
export function decodeCallIdAt(id: string, now: number): CallIdentity {
  const identity = decodeCallId(id);
  if (identity.beginTime > now + FUTURE_SLACK_MS) {
    throw badUserInput(`"${truncate(id)}" names a call beginning after tomorrow, which no call does: use the id field of a Call returned by this API`, {
      argumentName: 'id',
    });
  }
  return identity;
}

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
