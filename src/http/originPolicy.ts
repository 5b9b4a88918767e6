import type { IncomingHttpHeaders } from 'node:http';

/** CORS_ORIGINS as validated by config: every origin, or a list of exact origins (empty: none). */
export type AllowedOrigins = '*' | readonly string[];

/**
 * Whether a request may run, judged by the page that sent it. One rule for every way in: plain HTTP
 * (src/http/cors.ts) and the WebSocket upgrade, whose Origin header browsers send but CORS never checks.
 *
 * Allowed: a request without an Origin header (not sent by a page on another origin: curl, servers, a
 * router), a page on an origin of CORS_ORIGINS (or any, with "*"), and a page of the gateway's own origin
 * (GraphiQL), which browsers mark `Sec-Fetch-Site: same-origin` and whose Origin names the Host it asks.
 * The scheme is not compared: behind a TLS-terminating proxy the gateway cannot know its own.
 */
export function createOriginPolicy(allowed: AllowedOrigins): (headers: IncomingHttpHeaders) => boolean {
  const listed = allowed === '*' ? null : new Set(allowed);
  return (headers) => {
    const origin = headers.origin;
    if (origin === undefined || listed === null || listed.has(origin)) return true;
    return headers['sec-fetch-site'] === 'same-origin' || hostOf(origin) === headers.host?.toLowerCase();
  };
}

/** The host:port an Origin names; null for `null` (sandboxed pages, file:) and anything unparsable. */
function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}
