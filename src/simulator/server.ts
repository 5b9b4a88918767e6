// The simulator's HTTP front: LiveDeflect's one endpoint over node:http, with the request log, auth,
// a maximum window and fault injection that tests need. The order of checks is the upstream's as we
// imagine it: route, method, credential, body, site access, window size; injected faults apply only to
// requests that pass them all, so `times` counts requests that would otherwise have succeeded.
import { LIVEDEFLECT_PATH, type WindowRequest } from '../wire/livedeflect.js';
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkAccess } from './access.js';
import { memoizeAnswers, type Answer, type AnswerFor } from './answerMemo.js';
import { FaultList, type Fault } from './faults.js';
import { generateWindow } from './generator.js';
import { getValidConfig, type SimulatorOptions } from './options.js';
import { parseWindowRequest } from './requestValidation.js';
import { replayRecordings } from './replay.js';

export type { Fault } from './faults.js';
export type { Credentials } from './access.js';
export type { SimulatorOptions } from './options.js';

export interface SimulatorRequest {
  /** Wall-clock arrival time (Date.now, not the `now` option), for measuring retry spacing. */
  at: number;
  /** "" when the body did not carry a valid one. */
  siteId: string;
  /** NaN when the body did not carry a valid one. */
  startTime: number;
  endTime: number;
  authorization: string | null;
  /** The W3C traceparent header the request carried (a gateway that traces sends one), or null. */
  traceparent: string | null;
  /** The HTTP status sent; 0 while unanswered, and for hang and reset faults. */
  status: number;
  /** Calls in a 200 answer with the real data; 0 otherwise. */
  calls: number;
}

export interface Simulator {
  /** Base URL, e.g. http://127.0.0.1:4010 (no trailing slash). */
  url: string;
  port: number;
  /** Every request that reached the server, in arrival order. */
  requests: SimulatorRequest[];
  clearRequests(): void;
  injectFault(fault: Fault): void;
  clearFaults(): void;
  /** Stops listening and ends every connection, hung requests included. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

function errorBody(message: string): string {
  return JSON.stringify({ success: 'false', message });
}

/** The body as text, or null when it is larger than the simulator accepts. */
async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size <= MAX_BODY_BYTES) chunks.push(buffer);
  }
  return size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8');
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const config = getValidConfig(options);
  const requests: SimulatorRequest[] = [];
  const faults = new FaultList(config.seed);
  const timers = new Set<NodeJS.Timeout>();

  const generate: AnswerFor = ({ siteId, startTime, endTime }, now) => {
    const data = generateWindow({
      seed: config.seed,
      siteId,
      startTime,
      endTime,
      now,
      callsPerHour: config.callsPerHour,
    });
    return { body: JSON.stringify({ success: 'true', data }), calls: Object.keys(data).length };
  };
  const source = config.replayDir === undefined ? generate : await replayRecordings(config.replayDir);
  const answerFor = config.precompute ? memoizeAnswers(source) : source;

  // Resolves after ms unless close() comes first, in which case it never resolves and the request,
  // whose socket close() destroys, is simply dropped.
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  async function handle(req: IncomingMessage, res: ServerResponse, entry: SimulatorRequest): Promise<void> {
    const respond = (status: number, body: string, headers?: Record<string, string>): void => {
      entry.status = status;
      send(res, status, body, headers);
    };
    if (new URL(req.url ?? '/', 'http://simulator').pathname !== LIVEDEFLECT_PATH) {
      return respond(404, errorBody(`not found: the only endpoint is POST ${LIVEDEFLECT_PATH}`));
    }
    if (req.method !== 'POST') return respond(405, errorBody('method not allowed: use POST'), { Allow: 'POST' });
    const text = await readBody(req);
    if (text === null) return respond(413, errorBody(`body larger than ${MAX_BODY_BYTES} bytes`));
    const parsed = parseWindowRequest(text);
    Object.assign(entry, parsed.ok ? parsed.request : parsed.partial);
    if (checkAccess(config.credentials, entry.authorization) === 'unauthenticated') {
      return respond(401, errorBody('missing or unknown Authorization'));
    }
    if (!parsed.ok) return respond(400, errorBody(parsed.message));
    const request: WindowRequest = parsed.request;
    if (checkAccess(config.credentials, entry.authorization, request.siteId) === 'forbidden') {
      return respond(403, errorBody(`this credential may not read site ${request.siteId}`));
    }
    if (request.endTime - request.startTime > config.maxWindowMs) {
      return respond(400, errorBody(`window longer than the maximum of ${config.maxWindowMs} ms`));
    }

    const fault = faults.take(request.siteId);
    switch (fault?.kind) {
      case 'status': {
        const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { 'Retry-After': fault.retryAfter };
        return respond(fault.status, fault.body ?? errorBody(STATUS_CODES[fault.status] ?? 'injected fault'), headers);
      }
      case 'malformed-json': {
        const { body } = answerFor(request, config.now());
        return respond(200, body.slice(0, Math.floor(body.length / 2)));
      }
      case 'body':
        return respond(200, fault.body);
      case 'hang':
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'latency':
        await sleep(fault.ms);
        break;
      case undefined:
        break;
    }
    const answer: Answer = answerFor(request, config.now());
    entry.calls = answer.calls;
    respond(200, answer.body);
  }

  const server = createServer((req, res) => {
    const header = req.headers.authorization;
    const entry: SimulatorRequest = {
      at: Date.now(),
      siteId: '',
      startTime: NaN,
      endTime: NaN,
      authorization: header ?? null,
      traceparent: typeof req.headers.traceparent === 'string' ? req.headers.traceparent : null,
      status: 0,
      calls: 0,
    };
    requests.push(entry);
    if (requests.length > config.requestLogLimit) requests.splice(0, requests.length - config.requestLogLimit);
    handle(req, res, entry).catch(() => {
      // A bug or a client gone mid-request: answer if still possible, never crash the process.
      if (!res.headersSent && !res.destroyed) {
        entry.status = 500;
        send(res, 500, errorBody('internal simulator error'));
      } else {
        res.destroy();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hostInUrl = config.host.includes(':') ? `[${config.host}]` : config.host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostInUrl}:${port}`,
    port,
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    injectFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
