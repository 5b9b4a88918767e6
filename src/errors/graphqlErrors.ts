import { GraphQLError } from 'graphql';
import { ErrorCode } from '../model/errorCodes.js';
import { formatError } from './formatError.js';

/** A mistake in the request the client can fix; the message says what to change. */
export function badUserInput(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, ...extensions } });
}

/** No credential anywhere (client or gateway): refused before any upstream request that would only be refused. */
export function missingCredential(): GraphQLError {
  return new GraphQLError(
    'No LiveDeflect credential: send an Authorization header (over WebSocket, connectionParams.Authorization), or configure LIVEDEFLECT_AUTHORIZATION on the gateway',
    {
      extensions: { code: ErrorCode.UNAUTHENTICATED },
    },
  );
}

/** The subscription bound a client ran into (extensions.limit names the setting), and what to do about it. */
export function subscriptionLimit(
  limit: 'MAX_SUBSCRIPTIONS' | 'MAX_SUBSCRIPTIONS_PER_CONNECTION' | 'LIVE_SEND_BUFFER',
  max: number,
  message: string,
): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.SUBSCRIPTION_LIMIT, limit, max } });
}

/**
 * An error as a GraphQLError carrying the code formatError gives it. A subscription's errors need it: over the
 * HTTP callback protocol Apollo serializes them as graphql-js does, which keeps a GraphQLError's extensions
 * but knows nothing of an UpstreamError's code.
 */
export function codedError(error: Error): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const formatted = formatError({ message: error.message }, error);
  return new GraphQLError(formatted.message, { originalError: error, extensions: formatted.extensions });
}
