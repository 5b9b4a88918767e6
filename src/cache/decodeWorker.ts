// A decode worker thread (see windowDecoding.ts): window bodies in, chunk by chunk, each chunk
// acknowledged once read; one CallPack per bucket out, transferred, so the packs cost no copy.
import { parentPort, workerData } from 'node:worker_threads';
import { UpstreamError } from '../upstream/errors.js';
import type { DecodeReply, DecodeRequest, DecodeWorkerData } from './windowDecoding.js';
import { WindowPacker } from './windowPacker.js';

const port = parentPort!;
const { bucketSizeMs } = workerData as DecodeWorkerData;
const open = new Map<number, WindowPacker>();

port.on('message', (message: DecodeRequest) => {
  switch (message.kind) {
    case 'open':
      open.set(message.id, new WindowPacker(message.request, bucketSizeMs));
      return;
    case 'chunk':
      open.get(message.id)?.push(message.chunk);
      port.postMessage({ kind: 'read', id: message.id, bytes: message.chunk.length } satisfies DecodeReply);
      return;
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
    port.postMessage({ kind: 'packed', id, packs, outsideWindow, issues } satisfies DecodeReply, packs.map((pack) => pack.buffer as ArrayBuffer));
  } catch (error) {
    const upstream = error instanceof UpstreamError ? error : null;
    port.postMessage({
      kind: 'failed',
      id,
      code: upstream?.code ?? 'UPSTREAM_ERROR',
      message: upstream?.message ?? 'LiveDeflect sent a response this gateway cannot read',
      statusCode: upstream?.statusCode ?? null,
      detail: upstream?.detail ?? `decoder failed: ${String(error)}`,
    } satisfies DecodeReply);
  }
}
