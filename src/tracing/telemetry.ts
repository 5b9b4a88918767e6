import { context, ProxyTracerProvider, trace, type Context, type Tracer } from '@opentelemetry/api';

/**
 * How the gateway traces: the tracer its spans come from, and W3C trace context in and out of HTTP
 * headers. Handed down explicitly (never the global API's tracer), so a test can give one gateway an
 * in-memory exporter and the process nothing else.
 */
export interface Telemetry {
  /** False when tracing is off: callers skip the work of building span attributes. */
  readonly enabled: boolean;
  readonly tracer: Tracer;
  /** Whether the GraphQL operation span carries the operation's text (OTEL_GRAPHQL_DOCUMENT). */
  readonly recordDocument: boolean;
  /** The caller's trace (traceparent, tracestate) from request headers; ROOT_CONTEXT when there is none. */
  extract(parent: Context, headers: Readonly<Record<string, string | string[] | undefined>>): Context;
  /** Adds traceparent (and tracestate) for the span of `current` to outgoing request headers. */
  inject(current: Context, headers: Record<string, string>): void;
  /** Trace and span id of the active span, for log lines (pino's mixin); empty when none is active. */
  readonly logFields: () => Record<string, string>;
  /** Exports what is buffered and stops; the process is about to end. */
  shutdown(): Promise<void>;
  /** Exports what is buffered now (tests read the exporter after it). */
  flush(): Promise<void>;
}

/**
 * Tracing off: the API's no-op tracer from a provider of our own, which nothing can later make record (the
 * global one would start recording if anything in the process registered an SDK). No SDK module is loaded.
 */
export const TRACING_OFF: Telemetry = {
  enabled: false,
  tracer: new ProxyTracerProvider().getTracer('livedeflect-graphql'),
  recordDocument: false,
  extract: (parent) => parent,
  inject: () => undefined,
  logFields: () => ({}),
  shutdown: async () => undefined,
  flush: async () => undefined,
};

/** trace_id and span_id of the span active in the async context, as OpenTelemetry's log data model names them. */
export function activeSpanFields(): Record<string, string> {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
