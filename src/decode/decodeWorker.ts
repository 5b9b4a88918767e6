// A decode worker thread (see decodePool.ts): window bodies in, a batch of chunks at a time, each batch
// acknowledged once read; one CallPack per bucket out, transferred, so the packs cost no copy.
import { parentPort, workerData } from 'node:worker_threads';
import { BodyFault } from './bodyFault.js';
import type { DecodeReply, DecodeRequest, DecodeWorkerData } from './decodePool.js';
import { WindowPacker } from './windowPacker.js';

const port = parentPort!;
const { bucketSizeMs, maxBucketCalls } = workerData as DecodeWorkerData;
const open = new Map<number, WindowPacker>();

port.on('message', (message: DecodeRequest) => {
  switch (message.kind) {
    case 'open':
      open.set(message.id, new WindowPacker(message.request, bucketSizeMs, maxBucketCalls));
      return;
    case 'chunk': {
      const packer = open.get(message.id);
      let bytes = 0;
      for (const chunk of message.chunks) {
        packer?.push(chunk);
        bytes += chunk.length;
      }
      port.postMessage({ kind: 'read', id: message.id, bytes } satisfies DecodeReply);
      // Told at once, so the gateway stops reading a body that can't be decoded instead of reading it to the end.
      if (packer?.failure) {
        open.delete(message.id);
        reply(message.id, packer);
      }
      return;
    }
    case 'abort':
      open.delete(message.id);
      return;
    case 'end': {
      const packer = open.get(message.id);
      open.delete(message.id);
      if (packer) reply(message.id, packer);
    }
  }
});

function reply(id: number, packer: WindowPacker): void {
  try {
    const { packs, outsideWindow, issues } = packer.end();
    const buffers = packs.map(([, bytes]) => bytes.buffer as ArrayBuffer);
    port.postMessage({ kind: 'packed', id, packs, outsideWindow, issues } satisfies DecodeReply, buffers);
  } catch (error) {
    const fault = error instanceof BodyFault ? error : null;
    port.postMessage({
      kind: 'failed',
      id,
      message: fault?.message ?? BodyFault.UNREADABLE,
      detail: fault?.detail ?? `decoder failed: ${error instanceof Error ? error.name : typeof error}`,
    } satisfies DecodeReply);
  }
}
