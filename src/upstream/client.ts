import { setTimeout as sleepFor } from 'node:timers/promises';
import { errors as undiciErrors, Pool } from 'undici';
import { BodyFault } from '../decode/bodyFault.js';
import type { BodyReader, DecodedWindow } from '../decode/decodePool.js';
import type { Logger } from '../logger.js';
import { LIVEDEFLECT_PATH, type WindowRequest } from '../wire/livedeflect.js';
import { CircuitBreaker, type BreakerState } from './breaker.js';
import { UpstreamError } from './errors.js';
import { retryDelayMs } from './retryDelay.js';

export interface ClientOptions {
  readonly baseUrl: string;
  /** Whole-response budget for one attempt: headers and body together. */
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxBodyBytes: number;
  /** Retries after the first attempt, for 429/502/503/504 and dropped connections. */
  readonly retries: number;
  /** The longest wait before a retry: a longer Retry-After is waited this long. */
  readonly retryAfterMaxMs: number;
  readonly connections: number;
  readonly breakerFailureThreshold: number;
  readonly breakerCooldownMs: number;
  readonly logger: Logger;
  /** Sees each 200 answer's whole body (LIVEDEFLECT_RECORD uses it). */
  readonly onBody?: (request: WindowRequest, body: string) => void;
  /** Sees every attempt of every window, whichever operation asked (metrics use it). */
  readonly onAttempt?: (attempt: AttemptReport) => void;
  /**
   * Reads 200 bodies as they stream in rather than whole: the gateway passes the decode pool's, which
   * turns them into one pack per bucket on worker threads (src/decode/decodePool.ts).
   */
  readonly openBody: (request: WindowRequest) => BodyReader;
  /** The clock and the wait between retries; tests pass fakes so cool-downs and Retry-After take no real time. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface WindowFetch extends WindowRequest {
  /** Sent unchanged as the Authorization header. */
  readonly authorization: string;
  /** Epoch ms after which no attempt or retry wait may start or continue. */
  readonly deadline: number;
  readonly requestId?: string;
  readonly onAttempt?: (attempt: AttemptReport) => void;
}

export interface AttemptReport {
  readonly status: number | null;
  readonly durationMs: number;
  /** How long the client waits before the next attempt; null when it does not retry. */
  readonly retryInMs: number | null;
  readonly errorCode: string | null;
}

export interface FetchedWindow extends DecodedWindow {
  readonly bodyBytes: number;
}

const RETRIED_STATUSES = new Set([429, 502, 503, 504]);

/**
 * The only module that talks to LiveDeflect. One POST per window; typed errors out. It knows nothing
 * of GraphQL: src/errors maps UpstreamError codes to what clients see.
 */
export class LiveDeflectClient {
  private readonly pool: Pool;
  private readonly breaker: CircuitBreaker;
  private readonly path: string;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: ClientOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => sleepFor(ms));
    const url = new URL(options.baseUrl);
    this.path = `${url.pathname.replace(/\/+$/, '')}${LIVEDEFLECT_PATH}`;
    this.pool = new Pool(url.origin, {
      connections: options.connections,
      connectTimeout: options.connectTimeoutMs,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      keepAliveTimeout: 30_000,
    });
    this.breaker = new CircuitBreaker({
      failureThreshold: options.breakerFailureThreshold,
      cooldownMs: options.breakerCooldownMs,
      now: this.now,
    });
  }

  get breakerState(): BreakerState {
    return this.breaker.state;
  }

  /** Fetches and decodes one window, retrying what is worth retrying within the deadline. */
  async fetchWindow(request: WindowFetch): Promise<FetchedWindow> {
    for (let attempt = 0; ; attempt++) {
      this.breaker.admit();
      const started = this.now();
      let outcome: FetchedWindow | UpstreamError;
      let status: number | null = null;
      let retryAfter: string | null = null;
      try {
        const answer = await this.attempt(request);
        status = answer.status;
        retryAfter = answer.retryAfter;
        outcome = answer.result;
      } catch (error) {
        outcome = toUpstreamError(error, this.options.timeoutMs);
      }
      const failedUpstream = outcome instanceof UpstreamError && countsAgainstBreaker(outcome);
      if (failedUpstream) this.breaker.failed();
      else this.breaker.succeeded();

      const retryInMs =
        outcome instanceof UpstreamError && attempt < this.options.retries && isRetryable(outcome)
          ? retryDelayMs({ attempt, retryAfter, maxMs: this.options.retryAfterMaxMs, now: this.now() })
          : null;
      const fitsDeadline = retryInMs !== null && this.now() + retryInMs < request.deadline;
      const report: AttemptReport = {
        status,
        durationMs: this.now() - started,
        retryInMs: fitsDeadline ? retryInMs : null,
        errorCode: outcome instanceof UpstreamError ? outcome.code : null,
      };
      request.onAttempt?.(report);
      this.options.onAttempt?.(report);
      if (!(outcome instanceof UpstreamError)) return outcome;
      this.options.logger.warn(
        {
          requestId: request.requestId,
          siteId: request.siteId,
          startTime: request.startTime,
          endTime: request.endTime,
          status,
          code: outcome.code,
          detail: safeForLog(outcome.detail, request.authorization),
          attempt,
          retryInMs: fitsDeadline ? retryInMs : null,
        },
        'upstream request failed',
      );
      if (!fitsDeadline || retryInMs === null) throw outcome;
      await this.sleep(retryInMs);
    }
  }

  private async attempt(
    request: WindowFetch,
  ): Promise<{ status: number; retryAfter: string | null; result: FetchedWindow | UpstreamError }> {
    const budget = Math.min(this.options.timeoutMs, Math.max(1, request.deadline - this.now()));
    const response = await this.pool.request({
      path: this.path,
      method: 'POST',
      headers: {
        authorization: request.authorization,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({
        siteId: request.siteId,
        startTime: String(request.startTime),
        endTime: String(request.endTime),
      }),
      signal: AbortSignal.timeout(budget),
    });
    const retryAfter = headerValue(response.headers['retry-after']);
    if (response.statusCode !== 200) {
      const detail = await readCapped(response.body, 4096).catch(() => '');
      return { status: response.statusCode, retryAfter, result: statusError(response.statusCode, detail) };
    }
    const reader = this.options.openBody(request);
    // Recording keeps the whole text as well; decoding still streams, so both modes read bodies one way.
    const recorded: Buffer[] | null = this.options.onBody ? [] : null;
    const bodyBytes = await streamCapped(response.body, this.options.maxBodyBytes, (chunk) => {
      recorded?.push(chunk);
      return reader.push(chunk);
    }).catch((error: unknown) => {
      reader.abort();
      throw error;
    });
    if (recorded) this.options.onBody?.(request, Buffer.concat(recorded, bodyBytes).toString('utf8'));
    try {
      return { status: 200, retryAfter, result: { ...(await reader.end()), bodyBytes } };
    } catch (error) {
      return { status: 200, retryAfter, result: unreadableBody(error) };
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

function statusError(status: number, body: string): UpstreamError {
  const detail = `HTTP ${status}: ${body.slice(0, 500)}`;
  if (status === 401) {
    return new UpstreamError('UNAUTHENTICATED', 'LiveDeflect rejected the credential: check the Authorization header', {
      statusCode: status,
      detail,
    });
  }
  if (status === 403) {
    return new UpstreamError('FORBIDDEN', 'The credential may not read this site', { statusCode: status, detail });
  }
  if (status === 429) {
    return new UpstreamError('UPSTREAM_ERROR', 'LiveDeflect is rate limiting this gateway; try again shortly', {
      statusCode: status,
      detail,
    });
  }
  return new UpstreamError('UPSTREAM_ERROR', `LiveDeflect answered HTTP ${status} for this time window`, {
    statusCode: status,
    detail,
  });
}

/**
 * A 200 whose body could not be decoded. It carries status 200, which is what keeps it from being
 * retried (asking again gets the same body) and from counting against the breaker (the upstream is up).
 */
function unreadableBody(error: unknown): UpstreamError {
  const fault = error instanceof BodyFault ? error : new BodyFault(BodyFault.UNREADABLE, `decoder failed: ${error instanceof Error ? error.name : typeof error}`);
  return new UpstreamError('UPSTREAM_ERROR', fault.message, { statusCode: 200, detail: fault.detail, cause: error });
}

function toUpstreamError(error: unknown, timeoutMs: number): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const name = (error as { name?: string } | null)?.name;
  if (
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError
  ) {
    return new UpstreamError('UPSTREAM_TIMEOUT', `LiveDeflect did not answer within ${timeoutMs} ms`, {
      detail: String(error),
      cause: error,
    });
  }
  return new UpstreamError('UPSTREAM_ERROR', 'Could not reach LiveDeflect', {
    detail: `${(error as { code?: string } | null)?.code ?? ''} ${String(error)}`.trim(),
    cause: error,
  });
}

/** Failures of the upstream itself; a rejected credential or an unreadable body says nothing of its health. */
function countsAgainstBreaker(error: UpstreamError): boolean {
  if (error.code === 'UPSTREAM_TIMEOUT') return true;
  if (error.code !== 'UPSTREAM_ERROR') return false;
  return error.statusCode === null || error.statusCode >= 500 || error.statusCode === 429;
}

function isRetryable(error: UpstreamError): boolean {
  if (error.code !== 'UPSTREAM_ERROR') return false;
  if (error.statusCode !== null) return RETRIED_STATUSES.has(error.statusCode);
  // No status: the connection failed or dropped before an answer (reset, refused, socket closed).
  return true;
}

/**
 * An upstream error body goes to the log, and it may echo the Authorization header or quote call data
 * back: the credential (with or without its scheme) is cut out, and so is every run of six or more
 * digits, which is what a phone number looks like. Short credentials are left alone, since replacing
 * them would garble the text without protecting anything real.
 */
function safeForLog(detail: string | null, authorization: string): string | null {
  if (detail === null) return null;
  const secrets = [authorization, authorization.replace(/^\S+\s+/, '')].filter((secret) => secret.length >= 8);
  return secrets.reduce((text, secret) => text.split(secret).join('[redacted]'), detail).replace(/\d{6,}/g, '[digits]');
}

function headerValue(value: string | string[] | undefined): string | null {
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/** Reads a body as UTF-8, failing once it passes maxBytes so a runaway upstream can't exhaust memory. */
async function readCapped(body: AsyncIterable<Buffer> & { destroy(error?: Error): void }, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  const size = await streamCapped(body, maxBytes, (chunk) => chunks.push(chunk));
  return Buffer.concat(chunks, size).toString('utf8');
}

/** Hands a body's chunks on as they arrive, with readCapped's limit, waiting whenever onChunk asks to; resolves to the body's size. */
async function streamCapped(
  body: AsyncIterable<Buffer> & { destroy(error?: Error): void },
  maxBytes: number,
  onChunk: (chunk: Buffer) => unknown,
): Promise<number> {
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      throw new UpstreamError('UPSTREAM_ERROR', 'LiveDeflect sent a response larger than this gateway accepts', {
        statusCode: 200,
        detail: `body over ${maxBytes} bytes (LIVEDEFLECT_MAX_BODY)`,
      });
    }
    const wait = onChunk(chunk);
    if (wait instanceof Promise) await wait;
  }
  return size;
}
