import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options: { readonly type: 'minor' }) => void;

let collect: Collect | null = null;

/**
 * Collects this thread's young generation (a scavenge): V8's `gc`, exposed on first use in a context of
 * its own, so this thread's global object gets no `gc`. The flag is the process's: contexts and worker
 * threads made after it (a decode thread started again after one was lost) do get a global `gc`, which
 * nothing of ours calls. Where a runtime does not expose it so (Node documents that a flag set late "may
 * simply do nothing"), nothing is collected and V8's own trigger is the bound again: more memory, never
 * a failed window.
 */
function collectYoung(): void {
  collect ??= exposedCollector();
  collect({ type: 'minor' });
}

function exposedCollector(): Collect {
  setFlagsFromString('--expose-gc');
  const exposed: unknown = runInNewContext('typeof gc === "function" ? gc : null');
  return typeof exposed === 'function' ? (exposed as Collect) : () => undefined;
}

/**
 * Bounds what the socket buffers of bodies already handed to decode threads hold on this thread. A body
 * arrives as undici's views of the socket's reads, each read its own ArrayBuffer outside the JS heap. Once
 * posted to a decode thread (which copies them) they are garbage, but V8 frees a young ArrayBuffer only
 * in a scavenge, and while bodies stream through, this thread allocates too little JS to need one. Left
 * alone, V8 scavenges when young ArrayBuffers reach twice its default semi-space, 32 MB
 * (Heap::AllocateExternalBackingStore): two busy windows of dead socket buffers on top of the cache. A
 * scavenge after every `everyBytes` handed over makes that the bound; it costs well under a millisecond,
 * as the young generation then holds little but those buffers.
 */
export class HandedOverBytes {
  private since = 0;

  constructor(
    private readonly everyBytes: number,
    private readonly collect: () => void = collectYoung,
  ) {}

  add(bytes: number): void {
    this.since += bytes;
    if (this.since < this.everyBytes) return;
    this.since = 0;
    this.collect();
  }
}
