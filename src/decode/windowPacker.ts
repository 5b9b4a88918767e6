import { bucketStart } from '../model/buckets.js';
import type { CallInput } from '../model/call.js';
import type { WindowRequest } from '../wire/livedeflect.js';
import { WindowStreamReader, type CallSink } from './windowStream.js';
import { CallPackWriter } from '../pack/callPackWriter.js';

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

  /** `batchBytes`: see WindowStreamReader. */
  constructor(
    private readonly request: WindowRequest,
    private readonly bucketSizeMs: number,
    batchBytes?: number,
  ) {
    this.reader = new WindowStreamReader(request, this, batchBytes);
    this.clear();
  }

  push(chunk: Uint8Array): void {
    this.reader.push(chunk);
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
    if (call && writer) this.rows.set(callId, { writer, row: writer.addInput(call) });
  }

  clear(): void {
    const { siteId, startTime, endTime } = this.request;
    this.writers = new Map();
    this.rows = new Map();
    for (let bucket = bucketStart(startTime, this.bucketSizeMs); bucket < endTime; bucket += this.bucketSizeMs) {
      this.writers.set(bucket, new CallPackWriter(siteId));
    }
  }
}
