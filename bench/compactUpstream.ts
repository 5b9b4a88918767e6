import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LIVEDEFLECT_PATH } from '../src/wire/livedeflect.js';

/** Fields holding identifiers, rewritten short; a conversationid event's info is its conversation's id. */
const ID_FIELDS = ['callId', 'externalCallId', 'externalConsumerId', 'conversationId'] as const;

export interface CompactUpstream {
  readonly url: string;
  /**
   * Rewrites these windows ahead of the gateway's requests, so they are answered at once from memory:
   * rewritten while the gateway waits, 31 of them could pass its upstream timeout on loaded cores.
   */
  prepare(siteId: string, windows: readonly { readonly startTime: number; readonly endTime: number }[]): Promise<void>;
  /** Mean body of the day-long windows served so far, in bytes. */
  dayWindowBytes(): number;
  close(): Promise<void>;
}

/**
 * The simulator's data written compactly: a proxy that answers each request with the simulator's
 * answer, every id replaced by a short one (base 36, the same id for the same value in every window).
 * The simulator writes no whitespace already; ids are what is left to shrink. The same calls, with the
 * same funnel and times, in fewer bytes: memory per wire byte is harder to keep low on such an upstream.
 */
export async function startCompactUpstream(simulatorUrl: string, dayMs: number): Promise<CompactUpstream> {
  const shortIds = new Map<string, string>();
  const shortId = (id: string): string => {
    let short = shortIds.get(id);
    if (short === undefined) {
      short = shortIds.size.toString(36);
      shortIds.set(id, short);
    }
    return short;
  };
  const answers = new Map<string, string>();
  const dayBodies: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = Buffer.concat(chunks).toString('utf8');
      const answer = answers.get(windowKey(request));
      const respond = (body: string) => res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      if (answer !== undefined) return respond(answer);
      fetch(`${simulatorUrl}${req.url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' },
        body: request,
      })
        .then(async (upstream) => {
          const text = await upstream.text();
          if (upstream.status !== 200) return res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(text);
          const body = compact(JSON.parse(text) as WireBody, shortId);
          const { startTime, endTime } = JSON.parse(request) as { startTime: string; endTime: string };
          if (Number(endTime) - Number(startTime) === dayMs) dayBodies.push(Buffer.byteLength(body));
          answers.set(windowKey(request), body);
          respond(body);
        })
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    // Sequential: rewriting a 16 MB window runs on the bench's own thread, beside the simulator.
    async prepare(siteId, windows) {
      for (const { startTime, endTime } of windows) {
        const response = await fetch(`${url}${LIVEDEFLECT_PATH}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer compact' },
          body: JSON.stringify({ siteId, startTime: String(startTime), endTime: String(endTime) }),
        });
        await response.text();
      }
    },
    dayWindowBytes: () => dayBodies.reduce((sum, bytes) => sum + bytes, 0) / Math.max(1, dayBodies.length),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A request body's window, whatever the order of its fields: what an answer is kept under. */
function windowKey(request: string): string {
  const { siteId, startTime, endTime } = JSON.parse(request) as Record<string, unknown>;
  return `${String(siteId)}:${String(startTime)}:${String(endTime)}`;
}

type WireEvent = Record<string, unknown>;
interface WireBody {
  /** A call's value is its event list, or (a quirk the simulator also sends) one event. */
  readonly data: Record<string, WireEvent[] | WireEvent>;
  readonly [field: string]: unknown;
}

function compact(body: WireBody, shortId: (id: string) => string): string {
  const compactEvent = (event: WireEvent): WireEvent => {
    const short: WireEvent = { ...event };
    for (const field of ID_FIELDS) if (typeof event[field] === 'string') short[field] = shortId(event[field]);
    if (typeof event.eventInfo === 'string' && event.eventInfo === event.conversationId) short.eventInfo = short.conversationId;
    return short;
  };
  const data: Record<string, WireEvent[] | WireEvent> = {};
  for (const [callId, events] of Object.entries(body.data))
    data[shortId(callId)] = Array.isArray(events) ? events.map(compactEvent) : compactEvent(events);
  return JSON.stringify({ ...body, data });
}
