import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FetchedResult, FetchQueryRequest } from './fetchClient.js';
import type { FloorRequest, FloorResult } from './floor.js';

export type ChildKind = 'gateway' | 'naive' | 'mesh' | 'floor' | 'client';

export type ChildRequest =
  | { readonly kind: 'memory' }
  | { readonly kind: 'resetPeak' }
  | { readonly kind: 'stop' }
  | ({ readonly kind: 'floor' } & FloorRequest)
  | ({ readonly kind: 'fetchWindows' } & FloorRequest)
  | ({ readonly kind: 'fetchQuery' } & FetchQueryRequest);

export interface MemoryReport {
  /** Bytes. */
  readonly rss: number;
  /** Peak RSS since the process started or since the last resetPeak, in bytes. */
  readonly peakRss: number;
  /** The main thread's V8 heap in use, and the ArrayBuffers it holds (the cache's packs among them). */
  readonly heapUsed: number;
  readonly arrayBuffers: number;
  /** What the gateway's memory tier holds, as its byte bound counts it. */
  readonly cacheBytes: number;
  readonly cacheEntries: number;
}

export type ChildReply =
  | { readonly kind: 'ready'; readonly url: string | null }
  | ({ readonly kind: 'memory' } & MemoryReport)
  | ({ readonly kind: 'floor' } & FloorResult)
  | ({ readonly kind: 'fetched' } & FetchedResult)
  | { readonly kind: 'error'; readonly message: string };

export interface Child {
  /** Where the child serves HTTP (gateway, naive, mesh); "" for the floor runner and the client. */
  readonly url: string;
  readonly pid: number;
  memory(): Promise<MemoryReport>;
  resetPeak(): Promise<MemoryReport>;
  floor(request: FloorRequest): Promise<FloorResult>;
  /** The 'client' child: an independent client's fetch of the upstream windows, and of a GraphQL answer. */
  fetchWindows(request: FloorRequest): Promise<FetchedResult>;
  fetchQuery(request: FetchQueryRequest): Promise<FetchedResult>;
  stop(): Promise<void>;
}

const CHILD_ENTRY = fileURLToPath(new URL('./child.ts', import.meta.url));
const START_TIMEOUT_MS = 60_000;
const CALL_TIMEOUT_MS = 120_000;

/** Starts a bench child (bench/child.ts) under tsx with --expose-gc, and waits until it serves. */
export async function startChild(kind: ChildKind, env: Record<string, string> = {}): Promise<Child> {
  const child = fork(CHILD_ENTRY, [kind], {
    // BENCH_NODE_ARGS: extra node flags for every child, e.g. `--cpu-prof --cpu-prof-dir=prof` to profile them.
    execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [])],
    // MALLOC_ARENA_MAX=2 unless set, as `npm start` runs the gateway (README Configuration: glibc's arenas).
    env: { MALLOC_ARENA_MAX: '2', ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await nextReply(child, START_TIMEOUT_MS, `the ${kind} child to start`);
  if (ready.kind !== 'ready') throw new Error(`the ${kind} child failed to start: ${ready.kind === 'error' ? ready.message : ready.kind}`);
  const call = async <K extends ChildReply['kind']>(request: ChildRequest, expected: K): Promise<Extract<ChildReply, { kind: K }>> => {
    const reply = nextReply(child, CALL_TIMEOUT_MS, `the ${kind} child to answer ${request.kind}`);
    child.send(request);
    const answer = await reply;
    if (answer.kind !== expected)
      throw new Error(`the ${kind} child answered ${request.kind} with ${answer.kind === 'error' ? answer.message : answer.kind}`);
    return answer as Extract<ChildReply, { kind: K }>;
  };
  return {
    url: ready.url ?? '',
    pid: child.pid!,
    memory: () => call({ kind: 'memory' }, 'memory'),
    resetPeak: () => call({ kind: 'resetPeak' }, 'memory'),
    floor: (request) => call({ kind: 'floor', ...request }, 'floor'),
    fetchWindows: (request) => call({ kind: 'fetchWindows', ...request }, 'fetched'),
    fetchQuery: (request) => call({ kind: 'fetchQuery', ...request }, 'fetched'),
    stop: () => stopChild(child),
  };
}

function nextReply(child: ChildProcess, timeoutMs: number, what: string): Promise<ChildReply> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    const onMessage = (reply: ChildReply) => done(null, reply);
    const onExit = (code: number | null) => done(new Error(`the child exited (code ${code}) while waiting for ${what}`));
    function done(error: Error | null, reply?: ChildReply): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(reply!);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Asks the child to stop; kills it when it has not exited within 10 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.send({ kind: 'stop' } satisfies ChildRequest);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
