import { LIVEDEFLECT_PATH } from '../src/wire/livedeflect.js';
import type { FloorRequest } from './floor.js';

export interface FetchedResult {
  readonly ms: number;
  /** Bytes of text read: the answer, or the windows' bodies. */
  readonly bodyBytes: number;
  /** Calls the answer counted (totalCount), or calls in the windows' `data` maps. */
  readonly calls: number;
}

export interface FetchQueryRequest {
  readonly url: string;
  readonly query: string;
  readonly authorization: string;
}

/**
 * An independent client's view of a cold query, from a process of its own: the operation sent with
 * Node's own fetch, the answer read with text() and JSON.parse'd, as any application would.
 */
export async function fetchQuery(request: FetchQueryRequest): Promise<FetchedResult> {
  const started = performance.now();
  const response = await fetch(`${request.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: request.authorization },
    body: JSON.stringify({ query: request.query }),
  });
  const text = await response.text();
  const body = JSON.parse(text) as { data?: { site: { calls: { totalCount: number } } }; errors?: unknown };
  const ms = performance.now() - started;
  if (response.status !== 200 || body.errors || !body.data) throw new Error(`${request.url} answered ${response.status}: ${text.slice(0, 500)}`);
  return { ms, bodyBytes: Buffer.byteLength(text), calls: body.data.site.calls.totalCount };
}

/**
 * That client's own floor: the same windows fetched all at once with fetch, read with text() and
 * JSON.parse'd in one process, which is what it would take to skip the gateway and read the upstream itself.
 */
export async function fetchWindows(request: FloorRequest): Promise<FetchedResult> {
  const url = `${request.upstreamUrl.replace(/\/+$/, '')}${LIVEDEFLECT_PATH}`;
  const started = performance.now();
  const counts = await Promise.all(
    request.windows.map(async (window) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { authorization: 'Bearer floor', 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ siteId: request.siteId, startTime: String(window.startTime), endTime: String(window.endTime) }),
      });
      const text = await response.text();
      const body = JSON.parse(text) as { data: Record<string, unknown> };
      return { bodyBytes: Buffer.byteLength(text), calls: Object.keys(body.data).length };
    }),
  );
  return {
    ms: performance.now() - started,
    bodyBytes: counts.reduce((sum, { bodyBytes }) => sum + bodyBytes, 0),
    calls: counts.reduce((sum, { calls }) => sum + calls, 0),
  };
}
