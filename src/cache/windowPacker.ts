import { bucketStart } from '../loaders/buckets.js';
import type { WindowRequest } from '../upstream/decode.js';
import { WindowStreamReader } from '../upstream/windowStream.js';
import { CallPackWriter } from './callPackWriter.js';

export interface PackedWindow {
  /** One pack per bucket of the window, in time order, empty buckets included. */
  readonly packs: Uint8Array[];
  readonly outsideWindow: number;
  readonly issues: string[];
}

/**
 * Streams one window's body into one CallPack per bucket: what a decode worker runs, and what the
 * gateway runs in its own thread when DECODE_WORKERS=0. The body is read call by call
 * (windowStream.ts), so no more than a chunk of its text is ever held.
 */
export class WindowPacker {
  private readonly reader: WindowStreamReader;

  constructor(
    private readonly request: WindowRequest,
    private readonly bucketSizeMs: number,
  ) {
    this.reader = new WindowStreamReader(request);
  }

  push(chunk: Uint8Array): void {
    this.reader.push(chunk);
  }

  /** Throws the UpstreamError of a body that can't be read. */
  end(): PackedWindow {
    const { calls, outsideWindow, issues } = this.reader.end();
    const { siteId, startTime, endTime } = this.request;
    const writers = new Map<number, CallPackWriter>();
    for (let bucket = bucketStart(startTime, this.bucketSizeMs); bucket < endTime; bucket += this.bucketSizeMs) {
      writers.set(bucket, new CallPackWriter(siteId));
    }
    for (const call of calls) writers.get(bucketStart(call.beginTime, this.bucketSizeMs))?.addInput(call);
    return { packs: [...writers.values()].map((writer) => writer.finish()), outsideWindow, issues };
  }
}
