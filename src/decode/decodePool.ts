import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';
import { CallPack } from '../pack/callPack.js';
import type { WindowRequest } from '../wire/livedeflect.js';
import { BodyFault } from './bodyFault.js';
import { HandedOverBytes } from './handedOverBytes.js';
import { WindowPacker, type PackedWindow } from './windowPacker.js';

export interface WindowDecodingOptions {
  /** Decode threads (DECODE_WORKERS); 0 decodes on the main thread. */
  readonly workers: number;
  readonly bucketSizeMs: number;
  /** MAX_BUCKET_CALLS: see WindowPacker. */
  readonly maxBucketCalls: number;
  readonly logger: Logger;
}

/** One window's calls, read: a pack per bucket, as the cache stores them. */
export interface DecodedWindow {
  /** Each bucket of the window, by start time, empty buckets included. */
  readonly packs: ReadonlyMap<number, CallPack>;
  /** Calls the upstream returned with a begin time outside the window asked for (dropped). */
  readonly outsideWindow: number;
  /** What the decoder skipped or repaired, for the log: callIds and reasons, never field values. */
  readonly issues: string[];
}

/** Takes a 200 body chunk by chunk; end() gives the decoded window or throws a BodyFault. */
export interface BodyReader {
  /**
   * A promise back means "not so fast": the body is read no further until it settles. Throws (or
   * rejects with) a BodyFault once the window can't be decoded: reading on would be wasted.
   */
  push(chunk: Buffer): void | Promise<void>;
  end(): Promise<DecodedWindow>;
  /** The body was cut short (timeout, size cap, dropped connection): drop what was kept. */
  abort(): void;
}

/** The upstream client's openBody: a reader per 200 body. */
export interface WindowDecoding {
  /**
   * `signal` is the operation's end (its deadline): a window still waiting on its decode thread then
   * fails rather than wait on.
   */
  readonly open: (request: WindowRequest, signal?: AbortSignal) => BodyReader;
  close(): Promise<void>;
}

export interface DecodeWorkerData {
  readonly bucketSizeMs: number;
  readonly maxBucketCalls: number;
}

export type DecodeRequest =
  | { readonly kind: 'open'; readonly id: number; readonly request: WindowRequest }
  | { readonly kind: 'chunk'; readonly id: number; readonly chunks: readonly Uint8Array[] }
  | { readonly kind: 'end'; readonly id: number }
  | { readonly kind: 'abort'; readonly id: number };

export type DecodeReply =
  /** A chunk was read: that many bytes of the window are no longer waiting in the worker. */
  | { readonly kind: 'read'; readonly id: number; readonly bytes: number }
  | ({ readonly kind: 'packed'; readonly id: number } & PackedWindow)
  /** A BodyFault, as its parts (an Error's class does not survive postMessage). */
  | { readonly kind: 'failed'; readonly id: number; readonly message: string; readonly detail: string };

/** Chunks go to a worker in batches this big: fewer messages. */
const BATCH_BYTES = 256 * 1024;
/**
 * A window's bytes sent to a worker and not yet read there. Past this the client stops reading the
 * body (undici then stops reading the socket), so a window decoding slower than it downloads waits
 * in the upstream's send buffer, not in this process: at most this much of each window's text is here.
 */
const MAX_UNREAD_BYTES = 4 * BATCH_BYTES;
/**
 * Bytes of bodies handed to workers between two collections of this thread's young generation: the most
 * the dead socket buffers they arrived in hold here (handedOverBytes.ts).
 */
const COLLECT_EVERY_BYTES = 8 * 1024 * 1024;

/**
 * Turns window bodies into one CallPack per bucket as they stream in, on worker threads (or on this thread).
 *
 * Parsing and decoding a busy window costs several times what fetching it does; on worker threads two
 * windows decode at once on two cores while this thread serves GraphQL, where a gateway parsing with
 * JSON.parse would use one. The main thread only forwards the body's bytes and gets packs back.
 */
export function createWindowDecoding(options: WindowDecodingOptions): WindowDecoding {
  if (options.workers <= 0) {
    return {
      open: (request) => readerOf(new WindowPacker(request, options.bucketSizeMs, options.maxBucketCalls)),
      close: async () => undefined,
    };
  }
  return new DecodeWorkerPool(options);
}

/** A window decoded in this thread: push() decodes before the next chunk is read, which is backpressure enough. */
function readerOf(packer: WindowPacker): BodyReader {
  return {
    push: (chunk) => {
      packer.push(chunk);
      if (packer.failure) throw packer.failure;
    },
    end: async () => decodedWindowOf(packer.end()),
    abort: () => undefined,
  };
}

function decodedWindowOf(window: PackedWindow): DecodedWindow {
  const packs = new Map(window.packs.map(([bucket, bytes]) => [bucket, new CallPack(bytes)] as const));
  return { packs, outsideWindow: window.outsideWindow, issues: window.issues };
}

function decoderLost(detail: string): BodyFault {
  return new BodyFault('LiveDeflect sent a response this gateway could not decode', detail);
}

interface WorkerSlot {
  worker: Worker;
  /** Windows it is decoding now: a new window goes to the least busy worker. */
  open: number;
}

/** One window on its way through a worker. */
interface OpenWindow {
  readonly slot: WorkerSlot;
  unread: number;
  /** Settles a push() that waits for the worker to catch up. */
  waiting: { resume(): void; fail(error: Error): void } | null;
  /** Whether end() was called and the worker's answer is awaited. */
  ending: boolean;
  /** Set once the window can't be decoded (its worker was lost): pushes and end() fail with it. */
  failure: Error | null;
  resolve(window: DecodedWindow): void;
  reject(error: Error): void;
}

class DecodeWorkerPool implements WindowDecoding {
  private readonly slots: WorkerSlot[] = [];
  private readonly windows = new Map<number, OpenWindow>();
  private nextId = 0;
  private closing = false;
  private readonly handedOver = new HandedOverBytes(COLLECT_EVERY_BYTES);

  constructor(private readonly options: WindowDecodingOptions) {
    for (let i = 0; i < options.workers; i++) this.slots.push(this.spawn());
  }

  // A bound function: the client is handed `decoding.open` on its own.
  readonly open = (request: WindowRequest, signal?: AbortSignal): BodyReader => {
    const slot = this.slots.reduce((best, candidate) => (candidate.open < best.open ? candidate : best));
    const id = this.nextId++;
    let resolve!: (window: DecodedWindow) => void;
    let reject!: (error: Error) => void;
    const result = new Promise<DecodedWindow>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Observed by end(); a window aborted before its end must not leave an unhandled rejection behind.
    result.catch(() => undefined);
    const window: OpenWindow = { slot, unread: 0, waiting: null, ending: false, failure: null, resolve, reject };
    this.windows.set(id, window);
    slot.open++;
    // Only the window: the client's request also carries the credential and callbacks.
    const { siteId, startTime, endTime } = request;
    slot.worker.postMessage({ kind: 'open', id, request: { siteId, startTime, endTime } } satisfies DecodeRequest);
    let batch: Buffer[] = [];
    let batchBytes = 0;
    const flush = (): void => {
      if (batchBytes === 0) return;
      window.unread += batchBytes;
      // Copied by postMessage into the worker's heap, not into a new buffer here: each ArrayBuffer this thread
      // allocates counts as its external memory, and ~100 MB of them for a cold week made V8 collect this
      // thread's heap (the cache's, the largest) over and over while the workers decoded.
      slot.worker.postMessage({ kind: 'chunk', id, chunks: batch } satisfies DecodeRequest);
      const handedOver = batchBytes;
      batch = [];
      batchBytes = 0;
      // After the batch is let go, so the collection frees its buffers too.
      this.handedOver.add(handedOver);
    };
    const close = (): void => {
      signal?.removeEventListener('abort', onAbort);
      if (this.windows.get(id) !== window) return;
      this.windows.delete(id);
      slot.open--;
    };
    // The operation's time is up while this window waits on its worker (to read the next MiB, or to answer end()): the
    // window fails now rather than hold its upstream slot and its buckets for a worker that may be
    // thrashing near its heap limit. The worker drops the window when it gets to it; if it dies, lost()
    // starts another.
    const onAbort = (): void => {
      if ((!window.waiting && !window.ending) || window.failure) return;
      this.fail(window, decoderLost('decoding did not keep up within the operation deadline'));
      slot.worker.postMessage({ kind: 'abort', id } satisfies DecodeRequest);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    return {
      push: (chunk) => {
        if (window.failure) throw window.failure;
        batch.push(chunk);
        batchBytes += chunk.length;
        if (batchBytes < BATCH_BYTES) return;
        flush();
        if (window.unread <= MAX_UNREAD_BYTES) return;
        return new Promise<void>((resume, fail) => (window.waiting = { resume, fail }));
      },
      end: () => {
        if (window.failure) window.reject(window.failure);
        else {
          window.ending = true;
          flush();
          slot.worker.postMessage({ kind: 'end', id } satisfies DecodeRequest);
        }
        return result.finally(close);
      },
      abort: () => {
        batch = [];
        if (!window.failure) slot.worker.postMessage({ kind: 'abort', id } satisfies DecodeRequest);
        window.waiting?.resume();
        window.waiting = null;
        close();
      },
    };
  };

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map(({ worker }) => worker.terminate()));
  }

  private spawn(): WorkerSlot {
    const { bucketSizeMs, maxBucketCalls } = this.options;
    const worker = startWorker({ bucketSizeMs, maxBucketCalls } satisfies DecodeWorkerData);
    // Idle workers must not keep a finished process alive.
    worker.unref();
    const slot: WorkerSlot = { worker, open: 0 };
    worker.on('message', (reply: DecodeReply) => this.settle(reply));
    // Codes and names only: an error thrown in the worker could quote the body it was reading.
    worker.on('error', (error: Error & { code?: unknown }) => this.lost(slot, typeof error.code === 'string' ? error.code : error.name));
    worker.on('exit', (code) => this.lost(slot, `exited with code ${code}`));
    return slot;
  }

  private settle(reply: DecodeReply): void {
    const window = this.windows.get(reply.id);
    if (!window) return;
    switch (reply.kind) {
      case 'read':
        window.unread -= reply.bytes;
        if (window.waiting && window.unread <= MAX_UNREAD_BYTES) {
          window.waiting.resume();
          window.waiting = null;
        }
        return;
      case 'packed':
        window.resolve(decodedWindowOf(reply));
        return;
      case 'failed':
        this.fail(window, new BodyFault(reply.message, reply.detail));
    }
  }

  /** The window can't be decoded: end() and pushes under way fail with the fault, so the client stops reading the body. */
  private fail(window: OpenWindow, fault: BodyFault): void {
    window.failure = fault;
    window.reject(fault);
    window.waiting?.fail(fault);
    window.waiting = null;
  }

  /** A worker died (a bug, or out of memory): its windows fail at once, and a new worker takes its place. */
  private lost(slot: WorkerSlot, reason: string): void {
    const index = this.slots.indexOf(slot);
    if (this.closing || index < 0) return;
    const windows = [...this.windows.values()].filter((window) => window.slot === slot);
    this.options.logger.error({ reason, windows: windows.length }, 'a decode worker stopped; its windows fail, and another worker takes its place');
    this.slots[index] = this.spawn();
    for (const window of windows) this.fail(window, decoderLost('decode worker lost'));
  }
}

/**
 * A decode thread turns out garbage quickly (a window's text, parsed a batch at a time) and keeps
 * little: one window's pack until it is handed over. Left at V8's defaults its heap grows far past
 * that before a full collection, and the process keeps the pages (bench row 5: +240 MB for 31 days,
 * ~150 MB with these). The old-generation cap is many busy days' packs, so only a runaway decode
 * reaches it, and that ends one window, not the process. The young generation is 8 MiB (4 MiB
 * semi-spaces): a worker's new space then tops out at ~8 MB instead of ~17 MB at 16 MiB, ~17 MB of the
 * process's peak for 2 workers (bench rows 7-8), for ~2-5% more decode CPU in an A/B of the same windows.
 * 4 MiB cost more again (more survivors copied per byte parsed).
 */
const WORKER_HEAP = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 128 };

/**
 * The worker runs decodeWorker.ts under tsx (tests, `npm run dev`, the bench) and decodeWorker.js when
 * built; a worker does not inherit tsx's loader, so it registers it before loading the TypeScript.
 */
function startWorker(workerData: DecodeWorkerData): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./decodeWorker.js', import.meta.url), { workerData, resourceLimits: WORKER_HEAP });
  const entry = new URL('./decodeWorker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const source = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(source, { eval: true, workerData, resourceLimits: WORKER_HEAP });
}
