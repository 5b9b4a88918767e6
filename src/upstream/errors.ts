import { ErrorCode } from '../model/errorCodes.js';

/** The codes an upstream failure can carry: a part of the one ErrorCode enum. Listed, so a code read back (Redis) can be checked. */
export const UPSTREAM_ERROR_CODES = [
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.FORBIDDEN,
  ErrorCode.UPSTREAM_ERROR,
  ErrorCode.UPSTREAM_TIMEOUT,
  ErrorCode.UPSTREAM_UNAVAILABLE,
] as const;

/** Spelled as the enum's strings, so callers write 'UPSTREAM_ERROR' and a code from the wire compares as it is. */
export type UpstreamErrorCode = `${(typeof UPSTREAM_ERROR_CODES)[number]}`;

/**
 * Typed failures of the upstream client. Callers branch on `code`, never on message text, and one
 * place (src/errors/formatError.ts) turns them into GraphQL errors. Messages here are written for the
 * client: they never hold the credential or the upstream's body; `detail` is for the log only.
 */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  readonly code: UpstreamErrorCode;
  readonly statusCode: number | null;
  /** What went wrong, for the log: statuses, sizes and names only, never the upstream's own text; never sent to a client. */
  readonly detail: string | null;
  /** How long the upstream asked to be left alone (a Retry-After over the cap): the client is told, so it can wait. */
  readonly retryAfterMs: number | null;

  constructor(
    code: UpstreamErrorCode,
    message: string,
    options: { statusCode?: number; detail?: string; cause?: unknown; retryAfterMs?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.statusCode = options.statusCode ?? null;
    this.detail = options.detail ?? null;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

/**
 * The operation's deadline (OPERATION_DEADLINE) came before an upstream attempt could start or finish:
 * the data did not come in time, but not through the upstream's fault, so it never moves the breaker.
 */
export function operationOutOfTime(timeoutMs: number): UpstreamError {
  return new UpstreamError(
    'UPSTREAM_TIMEOUT',
    `This operation ran out of time (OPERATION_DEADLINE) waiting for LiveDeflect (each request may take up to ${timeoutMs} ms): ask for fewer days at once, or try again`,
    { detail: 'operation deadline passed' },
  );
}

export function isUpstreamError(value: unknown): value is UpstreamError {
  return value instanceof UpstreamError;
}
