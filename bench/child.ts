/**
 * A benchmark child process: one gateway, the naive baseline server, Hive Gateway over Mesh, or the
 * floor runner, each in a process of its own so its CPU time and memory are its own. Driven over IPC by
 * bench/children.ts: argv[2] = 'gateway' | 'naive' | 'mesh' | 'floor' | 'client'; a gateway reads its config from
 * the environment, as `npm start` does.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { createLogger } from '../src/logger.js';
import type { ChildReply, ChildRequest } from './children.js';
import { fetchQuery, fetchWindows } from './fetchClient.js';
import { fetchFloor } from './floor.js';
import { startMeshGateway } from './meshServer.js';
import { startNaiveServer } from './naiveServer.js';

const kind = process.argv[2];
const send = (reply: ChildReply): void => void process.send!(reply);

let gateway: Gateway | null = null;
let server: Server | null = null;

async function start(): Promise<string | null> {
  if (kind === 'gateway') {
    const config = loadConfig(process.env);
    const upstreamUrl = config.upstreamUrl!;
    // As main.ts does: the SDK only when OTEL_* configure tracing (bench scenario 7).
    const telemetry = config.tracing ? await (await import('../src/tracing/startTracing.js')).startTracing(config.tracing) : undefined;
    gateway = await startGateway({
      config,
      logger: createLogger({ level: config.logLevel, ...(telemetry ? { mixin: telemetry.logFields } : {}) }),
      upstreamUrl,
      upstreamAuthorization: null,
      ...(telemetry ? { telemetry } : {}),
    });
    return gateway.url;
  }
  if (kind === 'naive' || kind === 'mesh') {
    const upstreamUrl = process.env.LIVEDEFLECT_URL!;
    server = kind === 'naive' ? await startNaiveServer(upstreamUrl) : await startMeshGateway(upstreamUrl, process.env.MESH_RESPONSE_CACHE === 'true');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  return null;
}

async function handle(request: ChildRequest): Promise<void> {
  switch (request.kind) {
    case 'memory': {
      globalThis.gc?.();
      send({ kind: 'memory', ...procStatus(), cacheBytes: gateway?.memory.bytes ?? 0, cacheEntries: gateway?.memory.size ?? 0 });
      return;
    }
    case 'resetPeak': {
      globalThis.gc?.();
      // Linux: writing 5 to clear_refs sets the peak RSS (VmHWM) back to the current RSS.
      writeFileSync('/proc/self/clear_refs', '5');
      send({ kind: 'memory', ...procStatus(), cacheBytes: gateway?.memory.bytes ?? 0, cacheEntries: gateway?.memory.size ?? 0 });
      return;
    }
    case 'floor': {
      send({ kind: 'floor', ...(await fetchFloor(request)) });
      return;
    }
    case 'fetchWindows': {
      send({ kind: 'fetched', ...(await fetchWindows(request)) });
      return;
    }
    case 'fetchQuery': {
      send({ kind: 'fetched', ...(await fetchQuery(request)) });
      return;
    }
    case 'stop': {
      await gateway?.close();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      process.exit(0);
    }
  }
}

/** Resident and peak resident set size, in bytes, from /proc/self/status. */
function procStatus(): { rss: number; peakRss: number; heapUsed: number; arrayBuffers: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return { rss: kb('VmRSS'), peakRss: kb('VmHWM'), heapUsed, arrayBuffers };
}

process.on('message', (request: ChildRequest) => {
  handle(request).catch((error: unknown) => send({ kind: 'error', message: String((error as Error)?.stack ?? error) }));
});
start().then(
  (url) => send({ kind: 'ready', url }),
  (error: unknown) => send({ kind: 'error', message: String((error as Error)?.stack ?? error) }),
);
