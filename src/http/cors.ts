import cors from 'cors';
import { ErrorCode } from '../model/errorCodes.js';
import { sendJsonError, type RouteHandler } from './app.js';
import { createOriginPolicy, type AllowedOrigins } from './originPolicy.js';

export interface CorsSettings {
  readonly origins: AllowedOrigins;
  readonly maxAgeSeconds: number;
  readonly credentials: boolean;
}

/** Every request header a GraphQL client in a browser may send: Apollo's and urql's, tracing, and our request id. */
const ALLOWED_HEADERS = [
  'content-type',
  'authorization',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'apollographql-client-name',
  'apollographql-client-version',
  'traceparent',
  'tracestate',
  'x-request-id',
];

/**
 * CORS, answered before anything else runs. A page on an origin the policy refuses gets 403 and no
 * CORS headers: its browser then refuses the answer, and the request (preflight or not) is never
 * handed to GraphQL. For the others the `cors` package writes the headers: the origin itself with
 * `Vary: Origin` (or `*`), and a preflight is answered here with 204. Apollo's CSRF prevention stays
 * on behind this for requests a browser sends without a preflight.
 */
export function createCorsRoute(settings: CorsSettings): RouteHandler {
  const admits = createOriginPolicy(settings.origins);
  const writeHeaders = cors({
    // A list is matched exactly by `cors`, which echoes a listed origin and names no other.
    origin: settings.origins === '*' ? '*' : [...settings.origins],
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: ['x-request-id'],
    maxAge: settings.maxAgeSeconds,
    credentials: settings.credentials,
  });
  return (req, res) => {
    if (!admits(req.headers)) {
      req.resume();
      sendJsonError(res, 403, 'This origin may not call the gateway: add it to CORS_ORIGINS', ErrorCode.FORBIDDEN);
      return true;
    }
    // With fixed options `cors` decides at once: it calls next (headers written, carry on) or ends a preflight.
    let carryOn = false;
    writeHeaders(req, res, () => (carryOn = true));
    return !carryOn;
  };
}
