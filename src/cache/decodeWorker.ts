// A decode worker thread (see windowDecoding.ts): window bodies in, chunk by chunk; one CallPack per
// bucket out, transferred, so the packs cost no copy on the way back.
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
      return;
    case 'abort':
      open.delete(message.id);
      return;
    case 'end': {
      const packer = open.get(message.id);
      open.delete(message.id);
      if (!packer) return;
      let reply: DecodeReply;
      try {
        const { packs, outsideWindow, issues } = packer.end();
        reply = { id: message.id, ok: true, packs, outsideWindow, issues };
      } catch (error) {
        const upstream = error instanceof UpstreamError ? error : null;
        reply = {
          id: message.id,
          ok: false,
          code: upstream?.code ?? 'UPSTREAM_ERROR',
          message: upstream?.message ?? 'LiveDeflect sent a response this gateway cannot read',
          statusCode: upstream?.statusCode ?? null,
          detail: upstream?.detail ?? `decoder failed: ${String(error)}`,
        };
      }
      port.postMessage(reply, reply.ok ? reply.packs.map((pack) => pack.buffer as ArrayBuffer) : []);
    }
  }
});
