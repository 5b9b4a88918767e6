import { Pool } from 'undici';
import { LIVEDEFLECT_PATH } from '../src/wire/livedeflect.js';

export interface FloorRequest {
  readonly upstreamUrl: string;
  readonly siteId: string;
  readonly windows: readonly { readonly startTime: number; readonly endTime: number }[];
  /** Requests at once: the gateway's LIVEDEFLECT_CONCURRENCY. */
  readonly concurrency: number;
}

export interface FloorResult {
  readonly ms: number;
  readonly bodyBytes: number;
  readonly calls: number;
}

/**
 * The floor of a cold query: the same upstream windows fetched with undici and JSON.parse'd, as many
 * at once as the gateway sends, and nothing else: no decoding, no models, no GraphQL. No gateway over
 * this upstream can answer faster than it can fetch and parse the data.
 */
export async function fetchFloor(request: FloorRequest): Promise<FloorResult> {
  const url = new URL(request.upstreamUrl);
  const pool = new Pool(url.origin, { connections: request.concurrency });
  const queue = [...request.windows];
  let bodyBytes = 0;
  let calls = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: request.concurrency }, async () => {
        for (let window = queue.shift(); window; window = queue.shift()) {
          const response = await pool.request({
            path: `${url.pathname.replace(/\/+$/, '')}${LIVEDEFLECT_PATH}`,
            method: 'POST',
            headers: { authorization: 'Bearer floor', 'content-type': 'application/json', accept: 'application/json' },
            body: JSON.stringify({ siteId: request.siteId, startTime: String(window.startTime), endTime: String(window.endTime) }),
          });
          const text = await response.body.text();
          const body = JSON.parse(text) as { data: Record<string, unknown> };
          bodyBytes += Buffer.byteLength(text);
          calls += Object.keys(body.data).length;
        }
      }),
    );
    return { ms: performance.now() - started, bodyBytes, calls };
  } finally {
    await pool.close();
  }
}
