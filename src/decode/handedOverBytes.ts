import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options: { readonly type: 'minor' }) => void;

let collect: Collect | null = null;

/**
 * Collects this thread's young generation (a scavenge): V8's `gc`, exposed in a context of its own on
 * first use, so this thread's global object gets no `gc` for any other code to call.
 */
function collectYoung(): void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as Collect;
  }
  collect({ type: 'minor' });
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
