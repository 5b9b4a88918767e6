import { setTimeout as sleepFor } from 'node:timers/promises';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { errors as undiciErrors, Pool, type Dispatcher } from 'undici';
import { BodyFault } from '../decode/bodyFault.js';
import type { BodyReader, DecodedWindow } from '../decode/decodePool.js';
import type { Logger } from '../logger.js';
import { TRACING_OFF, type Telemetry } from '../tracing/telemetry.js';
import { LIVEDEFLECT_PATH, type WindowRequest } from '../wire/livedeflect.js';
import { CircuitBreaker, type BreakerState } from './breaker.js';
import { operationOutOfTime, UpstreamError } from './errors.js';
import { parseRetryAfter, retryDelayMs } from './retryDelay.js';

export interface ClientOptions {
  readonly baseUrl: string;
  /** Whole-response budget for one attempt: headers and body together. */
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxBodyBytes: number;
  /** Retries after the first attempt, for 429/502/503/504 and dropped connections. */
  readonly retries: number;
  /** The longest wait before a retry: a longer Retry-After fails the window at once (UPSTREAM_UNAVAILABLE, with the delay). */
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
   * turns them into one pack per bucket on worker threads (src/decode/decodePool.ts). `signal` is the
   * operation's end: a reader still waiting on its decoder then fails the window.
   */
  readonly openBody: (request: WindowRequest, signal?: AbortSignal) => BodyReader;
  /** The clock and the wait between retries; tests pass fakes so cool-downs and Retry-After take no real time. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Spans for windows and their HTTP attempts, for requests that carry a traceContext. Default: off. */
  readonly telemetry?: Telemetry;
}

export interface WindowFetch extends WindowRequest {
  /** Sent unchanged as the Authorization header. */
  readonly authorization: string;
  /** Epoch ms after which no attempt or retry wait may start or continue. */
  readonly deadline: number;
  /** The operation's own end (its deadline or its client gone): the attempt under way stops, and no other starts. */
  readonly signal?: AbortSignal;
  readonly requestId?: string;
  readonly onAttempt?: (attempt: AttemptReport) => void;
  /** The operation span's context: the window gets a span under it, and each attempt a CLIENT span whose traceparent is sent. */
  readonly traceContext?: Context;
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
  /** How long the attempt waited on the decoder: backpressure while the body streamed, then the decoded window after its end. */
  readonly decodeWaitMs: number;
}

const RETRIED_STATUSES = new Set([429, 502, 503, 504]);
/** An error answer's body is read this far and no further (then the connection is dropped). */
const ERROR_BODY_BYTES = 64 * 1024;

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
  private readonly url: URL;
  private readonly telemetry: Telemetry;

  constructor(private readonly options: ClientOptions) {
    this.telemetry = options.telemetry ?? TRACING_OFF;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => sleepFor(ms));
    const url = new URL(options.baseUrl);
    this.url = url;
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

  /** LIVEDEFLECT_TIMEOUT: what one attempt may take. */
  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  get breakerState(): BreakerState {
    return this.breaker.state;
  }

  /** Fetches and decodes one window, retrying what is worth retrying within the deadline. */
  async fetchWindow(request: WindowFetch): Promise<FetchedWindow> {
    if (!request.traceContext || !this.telemetry.enabled) return this.fetchAttempts(request, null);
    const span = this.telemetry.tracer.startSpan(
      'livedeflect.window',
      {
        kind: SpanKind.INTERNAL,
        attributes: {
          'livedeflect.site_id': request.siteId,
          'livedeflect.window.start': new Date(request.startTime).toISOString(),
          'livedeflect.window.end': new Date(request.endTime).toISOString(),
        },
      },
      request.traceContext,
    );
    try {
      const window = await this.fetchAttempts(request, span);
      span.setAttributes({
        'livedeflect.calls': [...window.packs.values()].reduce((calls, pack) => calls + pack.count, 0),
        'livedeflect.calls_outside_window': window.outsideWindow,
        'livedeflect.body_bytes': window.bodyBytes,
        'livedeflect.decode_wait_ms': window.decodeWaitMs,
      });
      return window;
    } catch (error) {
      const code = error instanceof UpstreamError ? error.code : 'INTERNAL_SERVER_ERROR';
      span.setAttribute('error.type', code);
      span.setStatus({ code: SpanStatusCode.ERROR, message: code });
      throw error;
    } finally {
      span.end();
    }
  }

  /** The attempts of one window; `span` (the window's, when traced) gets an event per retry and per breaker refusal. */
  private async fetchAttempts(request: WindowFetch, span: Span | null): Promise<FetchedWindow> {
    for (let attempt = 0; ; attempt++) {
      // Checked before the breaker: an operation out of time says nothing of the upstream, and takes no trial slot.
      if (this.now() >= request.deadline || request.signal?.aborted) throw operationOutOfTime(this.options.timeoutMs);
      try {
        this.breaker.admit();
      } catch (error) {
        span?.addEvent('livedeflect.breaker.refused', { 'livedeflect.attempt': attempt });
        throw error;
      }
      const attemptSpan = span ? this.attemptSpan(request, span, attempt) : null;
      const started = this.now();
      let outcome: FetchedWindow | UpstreamError;
      let status: number | null = null;
      let retryAfter: string | null = null;
      // What the attempt says of the upstream's health: only its own failures move the breaker.
      let verdict: 'failed' | 'answered' | 'cut' = 'answered';
      try {
        const answer = await this.attempt(request, attemptSpan);
        status = answer.status;
        retryAfter = answer.retryAfter;
        outcome = answer.result;
        if (outcome instanceof UpstreamError && isUpstreamStatusFault(status)) verdict = 'failed';
      } catch (error) {
        if (error instanceof AttemptCut) {
          // Cut short by the operation's own deadline: not the upstream's timeout.
          outcome = operationOutOfTime(this.options.timeoutMs);
          verdict = 'cut';
        } else {
          outcome = toUpstreamError(error, this.options.timeoutMs);
          // A body over LIVEDEFLECT_MAX_BODY is this gateway refusing it; anything else thrown is the connection or the upstream's timeout.
          if (!(error instanceof UpstreamError)) verdict = 'failed';
        }
      }
      if (verdict === 'failed') this.breaker.failed();
      else if (verdict === 'answered') this.breaker.succeeded();
      else this.breaker.abandoned();

      const retry =
        outcome instanceof UpstreamError && attempt < this.options.retries && isRetryable(outcome) ? this.retryPlan(attempt, retryAfter) : null;
      if (retry !== null && typeof retry !== 'number') outcome = retry;
      const retryInMs = typeof retry === 'number' && this.now() + retry < request.deadline ? retry : null;
      const report: AttemptReport = {
        status,
        durationMs: this.now() - started,
        retryInMs,
        errorCode: outcome instanceof UpstreamError ? outcome.code : null,
      };
      request.onAttempt?.(report);
      this.options.onAttempt?.(report);
      if (span && attemptSpan) {
        endAttemptSpan(attemptSpan, report, outcome);
        span.setAttribute('livedeflect.attempts', attempt + 1);
        if (report.retryInMs !== null) {
          span.addEvent('livedeflect.retry', {
            'livedeflect.attempt': attempt,
            'livedeflect.retry.wait_ms': report.retryInMs,
            'error.type': report.errorCode ?? '',
            ...(status === null ? {} : { 'http.response.status_code': status }),
          });
        }
      }
      if (!(outcome instanceof UpstreamError)) return outcome;
      // Only what the gateway itself knows: the upstream's words (bodies, messages) never reach the log.
      this.options.logger.warn(
        {
          requestId: request.requestId,
          siteId: request.siteId,
          startTime: request.startTime,
          endTime: request.endTime,
          status,
          code: outcome.code,
          detail: outcome.detail,
          attempt,
          retryInMs,
        },
        'upstream request failed',
      );
      if (retryInMs === null) throw outcome;
      await this.sleep(retryInMs);
    }
  }

  /**
   * The wait before the next attempt, or the error to fail with at once: a Retry-After longer than
   * LIVEDEFLECT_RETRY_AFTER_MAX is not waited (at the cap, the upstream would only refuse again).
   */
  private retryPlan(attempt: number, retryAfter: string | null): number | UpstreamError {
    const asked = parseRetryAfter(retryAfter, this.now());
    if (asked !== null && asked > this.options.retryAfterMaxMs) {
      return new UpstreamError(
        'UPSTREAM_UNAVAILABLE',
        `LiveDeflect asked this gateway to wait ${Math.ceil(asked / 1000)}s before asking again: try again then`,
        {
          detail: `Retry-After of ${asked} ms is over LIVEDEFLECT_RETRY_AFTER_MAX (${this.options.retryAfterMaxMs} ms)`,
          retryAfterMs: asked,
        },
      );
    }
    return retryDelayMs({ attempt, retryAfter, maxMs: this.options.retryAfterMaxMs, now: this.now() });
  }

  /** A CLIENT span for one HTTP attempt, by the HTTP client conventions; its traceparent goes to LiveDeflect. */
  private attemptSpan(request: WindowFetch, windowSpan: Span, attempt: number): Span {
    return this.telemetry.tracer.startSpan(
      'POST',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': 'POST',
          'server.address': this.url.hostname,
          'server.port': Number(this.url.port || (this.url.protocol === 'https:' ? 443 : 80)),
          'url.full': `${this.url.origin}${this.path}`,
          ...(attempt > 0 ? { 'http.request.resend_count': attempt } : {}),
        },
      },
      trace.setSpan(request.traceContext ?? ROOT_CONTEXT, windowSpan),
    );
  }

  private async attempt(
    request: WindowFetch,
    span: Span | null,
  ): Promise<{ status: number; retryAfter: string | null; result: FetchedWindow | UpstreamError }> {
    const remaining = request.deadline - this.now();
    // When the deadline is nearer than the upstream's own timeout, running out of time is the operation's doing.
    const cutByDeadline = remaining < this.options.timeoutMs;
    const timeout = AbortSignal.timeout(Math.min(this.options.timeoutMs, remaining));
    const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
    const cut = (): boolean => (cutByDeadline && timeout.aborted) || request.signal?.aborted === true;
    const headers: Record<string, string> = {
      authorization: request.authorization,
      'content-type': 'application/json',
      accept: 'application/json',
    };
    if (span) this.telemetry.inject(trace.setSpan(ROOT_CONTEXT, span), headers);
    let response: Dispatcher.ResponseData;
    try {
      response = await this.pool.request({
        path: this.path,
        method: 'POST',
        headers,
        body: JSON.stringify({
          siteId: request.siteId,
          startTime: String(request.startTime),
          endTime: String(request.endTime),
        }),
        signal,
      });
    } catch (error) {
      throw cut() ? new AttemptCut() : error;
    }
    const retryAfter = headerValue(response.headers['retry-after']);
    if (response.statusCode !== 200) {
      // Read (to free the connection) and counted, never kept: an error body may echo the credential or call data.
      const bytes = await drainCapped(response.body, ERROR_BODY_BYTES).catch(() => 0);
      return { status: response.statusCode, retryAfter, result: statusError(response.statusCode, bytes) };
    }
    // The operation's end, not this attempt's timeout: decoding may go on after the body is in, and a decode
    // thread still starting (or busy with other windows) is no fault of the upstream.
    const reader = this.options.openBody(request, request.signal);
    // Recording keeps the whole text as well; decoding still streams, so both modes read bodies one way.
    const recorded: Buffer[] | null = this.options.onBody ? [] : null;
    let bodyBytes: number;
    let decodeWaitMs = 0;
    try {
      bodyBytes = await streamCapped(response.body, this.options.maxBodyBytes, (chunk) => {
        recorded?.push(chunk);
        const wait = reader.push(chunk);
        if (!wait) return wait;
        const waitStarted = performance.now();
        return wait.then(() => void (decodeWaitMs += performance.now() - waitStarted));
      });
    } catch (error) {
      reader.abort();
      response.body.destroy();
      // The operation's deadline passed while decoding kept the body waiting: its time is up, the body is not at fault.
      if (request.signal?.aborted) throw new AttemptCut();
      // The reader refused the body (or lost its decoder): the window fails, the upstream did nothing wrong.
      if (error instanceof BodyFault) return { status: 200, retryAfter, result: unreadableBody(error) };
      throw cut() ? new AttemptCut() : error;
    }
    if (recorded) this.options.onBody?.(request, Buffer.concat(recorded, bodyBytes).toString('utf8'));
    const decodeStarted = performance.now();
    try {
      const decoded = await reader.end();
      return {
        status: 200,
        retryAfter,
        result: { ...decoded, bodyBytes, decodeWaitMs: Math.round(decodeWaitMs + performance.now() - decodeStarted) },
      };
    } catch (error) {
      if (request.signal?.aborted) throw new AttemptCut();
      return { status: 200, retryAfter, result: unreadableBody(error) };
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

/** Status and outcome of an attempt on its span: codes and sizes only, never the upstream's text. */
function endAttemptSpan(span: Span, report: AttemptReport, outcome: FetchedWindow | UpstreamError): void {
  if (report.status !== null) span.setAttribute('http.response.status_code', report.status);
  if (outcome instanceof UpstreamError) {
    span.setAttribute('error.type', report.status !== null && report.status !== 200 ? String(report.status) : outcome.code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.code });
  } else {
    span.setAttributes({ 'http.response.body.size': outcome.bodyBytes, 'livedeflect.decode_wait_ms': outcome.decodeWaitMs });
  }
  span.end();
}

function statusError(status: number, bodyBytes: number): UpstreamError {
  const detail = `HTTP ${status}, ${bodyBytes} bytes of body`;
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

/** Thrown inside an attempt the operation's own deadline or end cut short. */
class AttemptCut extends Error {
  override readonly name = 'AttemptCut';
}

/**
 * A 200 whose body could not be decoded. It carries status 200, which is what keeps it from being
 * retried (asking again gets the same body) and from counting against the breaker (the upstream is up).
 */
function unreadableBody(error: unknown): UpstreamError {
  const fault =
    error instanceof BodyFault ? error : new BodyFault(BodyFault.UNREADABLE, `decoder failed: ${error instanceof Error ? error.name : typeof error}`);
  return new UpstreamError('UPSTREAM_ERROR', fault.message, { statusCode: 200, detail: fault.detail, cause: error });
}

function toUpstreamError(error: unknown, timeoutMs: number): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const name = (error as { name?: string } | null)?.name;
  const code = (error as { code?: unknown } | null)?.code;
  // Names and codes only (undici's and Node's own): what the upstream sent never goes into a detail.
  const detail = [typeof code === 'string' ? code : '', typeof name === 'string' ? name : typeof error].join(' ').trim();
  if (
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError
  ) {
    return new UpstreamError('UPSTREAM_TIMEOUT', `LiveDeflect did not answer within ${timeoutMs} ms`, { detail, cause: error });
  }
  return new UpstreamError('UPSTREAM_ERROR', 'Could not reach LiveDeflect', { detail, cause: error });
}

/** Statuses that are the upstream's own failure (5xx, and 429: it is overloaded); a rejected credential says nothing of its health. */
function isUpstreamStatusFault(status: number): boolean {
  return status >= 500 || status === 429;
}

function isRetryable(error: UpstreamError): boolean {
  if (error.code !== 'UPSTREAM_ERROR') return false;
  if (error.statusCode !== null) return RETRIED_STATUSES.has(error.statusCode);
  // No status: the connection failed or dropped before an answer (reset, refused, socket closed).
  return true;
}

function headerValue(value: string | string[] | undefined): string | null {
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/** Reads a body to its end without keeping it, and says how long it was; stops reading past maxBytes. */
async function drainCapped(body: AsyncIterable<Buffer> & { destroy(error?: Error): void }, maxBytes: number): Promise<number> {
  return streamCapped(body, maxBytes, () => undefined);
}

/** Hands a body's chunks on as they arrive, failing once it passes maxBytes so a runaway upstream can't exhaust memory, waiting whenever onChunk asks to; resolves to the body's size. */
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
