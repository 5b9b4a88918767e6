import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isUpstreamError } from '../upstream/errors.js';
import { ErrorCode } from '../model/errorCodes.js';

/**
 * The one normalize step every error passes before it reaches a client. Upstream failures get their
 * typed code; anything unexpected becomes a plain INTERNAL_SERVER_ERROR with no message or stack from
 * inside (those are logged with the request id by the error-log plugin). Must not throw.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (isUpstreamError(original)) {
    return {
      ...formatted,
      message: original.message,
      extensions: {
        code: original.code,
        ...(original.statusCode !== null && original.statusCode !== 200 ? { upstreamStatus: original.statusCode } : {}),
        ...(original.retryAfterMs !== null ? { retryAfterMs: original.retryAfterMs } : {}),
      },
    };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR) return formatted;
  if (isRefusedRequest(error)) return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.BAD_REQUEST } };
  return {
    message: 'Internal server error: the gateway logged the details under this request id',
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}

export type ErrorFormatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** graphql-js's hint naming the schema's fields, types, arguments or enum values closest to a misspelling. */
const SUGGESTION = / ?Did you mean [^?]*\?$/;

/**
 * formatError for every path to clients (Apollo, WebSocket, callbacks). With hideSuggestions (a schema that is not
 * introspected), no "Did you mean ...?" names the schema: Apollo's hideSchemaDetailsFromClientErrors strips it from
 * validation errors only, and a misspelt enum value or input field in the variables would still name the right one.
 */
export function createErrorFormatter(options: { readonly hideSuggestions: boolean }): ErrorFormatter {
  if (!options.hideSuggestions) return formatError;
  return (formatted, error) => {
    const result = formatError(formatted, error);
    return SUGGESTION.test(result.message) ? { ...result, message: result.message.replace(SUGGESTION, '') } : result;
  };
}

/**
 * Apollo refuses a few malformed requests (an unsupported persisted-query version, a hash that does not
 * match the query) with an HTTP 4xx but no code. They are the client's to fix, and the message is Apollo's own.
 */
export function isRefusedRequest(error: unknown): boolean {
  return refusedStatus(error) !== null;
}

function refusedStatus(error: unknown): number | null {
  const http: unknown = error instanceof GraphQLError ? error.extensions.http : undefined;
  const status = typeof http === 'object' && http !== null ? (http as { status?: unknown }).status : undefined;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : null;
}

/**
 * The code and HTTP status of a request a plugin refused before Apollo parsed it (MAX_TOKENS, trusted documents): such a
 * refusal ends in Apollo's unexpected-error path, which sends no willSendResponse, so the metrics and the
 * operation log read it here. Null for anything else (a bug stays an internal error).
 */
export function refusalOf(error: unknown): { readonly code: string; readonly status: number } | null {
  const code: unknown = error instanceof GraphQLError ? error.extensions.code : undefined;
  const status = refusedStatus(error);
  return status !== null && typeof code === 'string' ? { code, status } : null;
}
