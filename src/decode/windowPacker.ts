import { bucketStart } from '../model/buckets.js';
import type { CallInput } from '../model/call.js';
import type { WindowRequest } from '../wire/livedeflect.js';
import { CallPackWriter } from '../pack/callPackWriter.js';
import { BodyFault } from './bodyFault.js';
import { WindowStreamReader, type CallSink } from './windowStream.js';

/**
 * The most text one window's writers may hold while it is decoded: the UTF-8 of the strings a pack
 * deflates (callerInfo, phone numbers, ids, skills, event types and infos). The writers keep that text
 * as bytes outside the JS heap (callPackWriter.ts), which the decode thread's heap cap (WORKER_HEAP in
 * decodePool.ts) does not reach, so without this a runaway body would grow the process until
 * LIVEDEFLECT_MAX_BODY. It is that cap's 128 MiB, the bound this text had while it was strings on the
 * thread's heap, and it holds on the main thread too (DECODE_WORKERS=0). A busy simulator day is ~0.9 MB
 * of it, so only a runaway body gets near it. A bucket's buffer is up to about twice its text (it doubles
 * as it grows). callIds are not counted: they are strings on the heap until the pack is written, under the cap.
 */
const MAX_WINDOW_TEXT_BYTES = 128 * 1024 * 1024;

export interface PackedWindow {
  /** Each bucket of the window (by start time, in order, empty buckets included) with its pack's bytes. */
  readonly packs: (readonly [bucket: number, bytes: Uint8Array])[];
  readonly outsideWindow: number;
  readonly issues: string[];
}

/**
 * Streams one window's body into one CallPack per bucket: what a decode worker runs, and what the
 * gateway runs in its own thread when DECODE_WORKERS=0. The body is read call by call
 * (windowStream.ts) and each call is packed as it is read, so no more than a chunk of the body's
 * text, and no decoded call but the current one, is held at a time.
 */
export class WindowPacker implements CallSink {
  private readonly reader: WindowStreamReader;
  private writers = new Map<number, CallPackWriter>();
  /** Where each call went, so a callId the upstream repeats replaces its first entry. */
  private rows = new Map<string, { writer: CallPackWriter; row: number }>();
  /** Text the writers hold, against MAX_WINDOW_TEXT_BYTES. */
  private textBytes = 0;

  /**
   * `maxBucketCalls` (MAX_BUCKET_CALLS): more calls than this in one bucket fail the window, since a
   * bucket is what the cache holds and a range answer reads whole. `batchBytes`: see WindowStreamReader.
   */
  constructor(
    private readonly request: WindowRequest,
    private readonly bucketSizeMs: number,
    private readonly maxBucketCalls: number,
    batchBytes?: number,
  ) {
    this.reader = new WindowStreamReader(request, this, batchBytes);
    this.clear();
  }

  push(chunk: Uint8Array): void {
    this.reader.push(chunk);
  }

  /** See WindowStreamReader.failure; always a BodyFault, so whoever reads the body can tell it from a fault of its own. */
  get failure(): BodyFault | null {
    const fault = this.reader.failure;
    if (fault === null || fault instanceof BodyFault) return fault;
    return new BodyFault(BodyFault.UNREADABLE, `decoder failed: ${fault.name}`);
  }

  /** Throws the BodyFault of a body that can't be read. */
  end(): PackedWindow {
    const { outsideWindow, issues } = this.reader.end();
    return { packs: [...this.writers].map(([bucket, writer]) => [bucket, writer.finish()] as const), outsideWindow, issues };
  }

  call(callId: string, call: CallInput | null): void {
    const earlier = this.rows.get(callId);
    if (earlier) {
      earlier.writer.remove(earlier.row);
      this.rows.delete(callId);
    }
    const writer = call && this.writers.get(bucketStart(call.beginTime, this.bucketSizeMs));
    if (!call || !writer) return;
    if (writer.size >= this.maxBucketCalls) {
      throw new BodyFault(
        `LiveDeflect sent more than ${this.maxBucketCalls} calls for one ${this.bucketSizeMs / 60_000}-minute bucket: set a smaller BUCKET_SIZE (or a larger MAX_BUCKET_CALLS)`,
        `over MAX_BUCKET_CALLS (${this.maxBucketCalls}) in bucket ${bucketStart(call.beginTime, this.bucketSizeMs)}`,
      );
    }
    const before = writer.textBytes;
    const row = writer.addInput(call);
    this.textBytes += writer.textBytes - before;
    if (this.textBytes > MAX_WINDOW_TEXT_BYTES) {
      throw new BodyFault(
        `LiveDeflect sent more than ${MAX_WINDOW_TEXT_BYTES / (1024 * 1024)} MiB of call text for one window: set a shorter LIVEDEFLECT_MAX_WINDOW`,
        `over ${MAX_WINDOW_TEXT_BYTES} bytes of call text in window ${this.request.startTime}`,
      );
    }
    this.rows.set(callId, { writer, row });
  }

  clear(): void {
    const { siteId, startTime, endTime } = this.request;
    this.writers = new Map();
    this.rows = new Map();
    this.textBytes = 0;
    for (let bucket = bucketStart(startTime, this.bucketSizeMs); bucket < endTime; bucket += this.bucketSizeMs) {
      this.writers.set(bucket, new CallPackWriter(siteId, bucket));
    }
  }
}
