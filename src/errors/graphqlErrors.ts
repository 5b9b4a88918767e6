import { GraphQLError } from 'graphql';
import { ErrorCode } from '../model/errorCodes.js';

/** A mistake in the request the client can fix; the message says what to change. */
export function badUserInput(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, ...extensions } });
}

/** No credential anywhere (client or gateway): refused before any upstream request that would only be refused. */
export function missingCredential(): GraphQLError {
  return new GraphQLError('No LiveDeflect credential: send an Authorization header (or configure LIVEDEFLECT_AUTHORIZATION on the gateway)', {
    extensions: { code: ErrorCode.UNAUTHENTICATED },
  });
}
