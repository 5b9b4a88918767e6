import { context, SpanKind, trace, type Context } from '@opentelemetry/api';
import type { Telemetry } from './telemetry.js';

/**
 * Starts the GraphQL operation span, a child of the active HTTP server span, and returns the context that
 * holds it: the request's OperationContext carries it down to the bucket store and the client. Named
 * "GraphQL Operation" until the operation is known (the tracing plugin renames it and ends it).
 */
export function startOperationSpan(telemetry: Telemetry): Context {
  const parent = context.active();
  return trace.setSpan(parent, telemetry.tracer.startSpan('GraphQL Operation', { kind: SpanKind.INTERNAL }, parent));
}
