import { badUserInput } from '../errors/graphqlErrors.js';
import { parseCallId, type CallIdentity } from '../model/callId.js';

/** A Call id argument, or BAD_USER_INPUT for anything encodeCallId did not make. */
export function decodeCallId(id: string): CallIdentity {
  const identity = parseCallId(id);
  if (identity) return identity;
  throw badUserInput(`"${truncate(id)}" is not a Call id: use the id field of a Call returned by this API`, { argumentName: 'id' });
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
