import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { loadConfig, type Config } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { generateWindow } from '../../src/simulator/index.js';
import type { WindowRequest } from '../../src/wire/livedeflect.js';
import { TEST_NOW } from './day.js';
import type { GraphQLAnswer } from './stack.js';

/**
 * What a hostile upstream answers one window with. `body` may be a generator, so a body of hundreds of
 * MB is streamed a chunk at a time and never held by the test process either.
 */
export type HostileAnswer =
  | {
      readonly kind: 'answer';
      readonly status?: number;
      readonly headers?: Record<string, string>;
      readonly body: string | (() => Iterable<string>);
      /** Waits this long before answering. */
      readonly delayMs?: number;
    }
  /** Headers and as much of the body as given, then the socket is destroyed. */
  | { readonly kind: 'drop'; readonly after?: string }
  /** Never answers; the gateway's timeout must end it. */
  | { readonly kind: 'hang' };

/** Answers a window of `callsPerHour` calls a site really could have: what a normal query is served. */
export function normalAnswer(request: WindowRequest, callsPerHour = 2): HostileAnswer {
  const data = generateWindow({ seed: 'hostile', ...request, now: TEST_NOW, callsPerHour });
  return { kind: 'answer', body: JSON.stringify({ success: 'true', data }) };
}

export interface HostileRequest extends WindowRequest {
  readonly authorization: string | undefined;
}

interface HostileUpstream {
  readonly url: string;
  /** Every window asked for, in order. */
  readonly requests: HostileRequest[];
  close(): Promise<void>;
}

/**
 * An upstream that answers each window as `answer` says: wrong statuses, bodies no real LiveDeflect
 * sends (huge, deep, malformed, echoing the credential), dropped connections, silence. Lives with the
 * tests, not in the simulator's options: nothing but a test should be able to make an upstream this bad.
 */
async function startHostileUpstream(answer: (request: HostileRequest) => HostileAnswer): Promise<HostileUpstream> {
  const requests: HostileRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => void serve(req, res));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const sent = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { siteId: string; startTime: string; endTime: string };
    const request: HostileRequest = {
      siteId: sent.siteId,
      startTime: Number(sent.startTime),
      endTime: Number(sent.endTime),
      authorization: req.headers.authorization,
    };
    requests.push(request);
    const reply = answer(request);
    if (reply.kind === 'hang') return;
    if (reply.kind === 'drop') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(reply.after ?? '');
      res.socket?.destroy();
      return;
    }
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (res.destroyed) return;
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
    if (typeof reply.body === 'string') {
      res.end(reply.body);
      return;
    }
    for (const piece of reply.body()) {
      if (res.destroyed) return;
      // Waits for the socket to drain: the gateway's backpressure reaches this loop.
      if (!res.write(piece)) await drained(res);
    }
    res.end();
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Resolves when the response can take more, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

export interface HostileStack {
  readonly upstream: HostileUpstream;
  readonly gateway: Gateway;
  readonly config: Config;
  query(query: string, variables?: Record<string, unknown>): Promise<GraphQLAnswer>;
  close(): Promise<void>;
}

/** A gateway in front of a hostile upstream, with a static credential. */
export async function startHostileStack(
  answer: (request: HostileRequest) => HostileAnswer,
  options: { env?: Record<string, string>; logger?: Logger; authorization?: string } = {},
): Promise<HostileStack> {
  const upstream = await startHostileUpstream(answer);
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', LIVEDEFLECT_URL: upstream.url, ...options.env });
  const gateway = await startGateway({
    config,
    logger: options.logger ?? createLogger({ level: config.logLevel }),
    upstreamUrl: upstream.url,
    upstreamAuthorization: options.authorization ?? 'Bearer test',
  });
  return {
    upstream,
    gateway,
    config,
    async query(query, variables) {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      let body: GraphQLAnswer['body'];
      try {
        body = JSON.parse(text) as GraphQLAnswer['body'];
      } catch {
        throw new Error(`HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`);
      }
      return { status: response.status, headers: response.headers, body };
    },
    async close() {
      await gateway.close();
      await upstream.close();
    },
  };
}
