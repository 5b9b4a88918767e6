import { GraphQLError } from 'graphql';
import { ErrorCode } from './codes.js';

/** A mistake in the request the client can fix; the message says what to change. */
export function badUserInput(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, ...extensions } });
}
