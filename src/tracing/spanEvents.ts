import { trace, type Attributes, type Context } from '@opentelemetry/api';

/** An event on the span of `traceContext` (the operation's): nothing, and no work, when the operation is not traced. */
export function addSpanEvent(traceContext: Context | undefined, name: string, attributes: () => Attributes): void {
  if (!traceContext) return;
  const span = trace.getSpan(traceContext);
  if (span?.isRecording()) span.addEvent(name, attributes());
}
