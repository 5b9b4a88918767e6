import { badUserInput } from '../errors/graphqlErrors.js';
import { parseCallId, type CallIdentity } from '../model/callId.js';

/** A Call id argument, or BAD_USER_INPUT for anything encodeCallId did not make. */
export function decodeCallId(id: string): CallIdentity {
  const identity = parseCallId(id);
  if (identity) return identity;
  throw badUserInput(`"${truncate(id)}" is not a Call id: use the id field of a Call returned by this API`, { argumentName: 'id' });
}

/** How far past the clock a begin time may be: the upstream's clock and ours may differ, by far less than a day. */
const FUTURE_SLACK_MS = 86_400_000;

/**
 * decodeCallId, and BAD_USER_INPUT when the id's begin time is more than a day after now (its digits have no
 * sign, so it can't name a time before 1970): no call began then, and asking the upstream for that window
 * (year 318,857, say) would only cost a request. The clock is read here, not in parseCallId, whose answers
 * are remembered.
 */
export function decodeCallIdAt(id: string, now: number): CallIdentity {
  const identity = decodeCallId(id);
  if (identity.beginTime > now + FUTURE_SLACK_MS) {
    throw badUserInput(
      `"${truncate(id)}" names a call beginning after tomorrow, which no call does: use the id field of a Call returned by this API`,
      {
        argumentName: 'id',
      },
    );
  }
  return identity;
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
