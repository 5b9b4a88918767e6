import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteHandler } from './app.js';

export interface HealthOptions {
  /** Ready means: config loaded (we are running) and the upstream breaker is not open. */
  readonly isReady: () => { ready: boolean; reason?: string };
}

/** /healthz: the process answers. /readyz: it can serve data now; a load balancer stops routing when not. */
export function createHealthRoutes(options: HealthOptions): RouteHandler {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (path === '/healthz') {
      send(res, 200, { status: 'ok' });
      return true;
    }
    if (path === '/readyz') {
      const { ready, reason } = options.isReady();
      send(res, ready ? 200 : 503, ready ? { status: 'ready' } : { status: 'not ready', reason });
      return true;
    }
    return false;
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
