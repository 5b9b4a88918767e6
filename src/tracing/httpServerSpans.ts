import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Telemetry } from './telemetry.js';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A SERVER span per HTTP request, continuing the caller's W3C trace (traceparent/tracestate), and active
 * (in the async context) while the request is handled, so the GraphQL operation span and the log lines
 * below it belong to it. Named and attributed by the HTTP semantic conventions; `routes` are the paths
 * whose name is a route (others are named by their method alone, as the conventions ask for unknown routes).
 * Only installed when tracing is on: with it off the listener is the gateway's own, untouched.
 */
export function traceHttpRequests(telemetry: Telemetry, routes: readonly string[], listener: Listener): Listener {
  return (req, res) => {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const route = routes.includes(path) ? path : undefined;
    const parent = telemetry.extract(ROOT_CONTEXT, req.headers);
    const span = telemetry.tracer.startSpan(
      route ? `${method} ${route}` : method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': method,
          'url.path': path,
          'url.scheme': 'http',
          'network.protocol.version': req.httpVersion,
          ...(route ? { 'http.route': route } : {}),
        },
      },
      parent,
    );
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), () => listener(req, res));
  };
}
