import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The heap in use after full collections: what is kept, not garbage not yet collected. */
function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Runs count sends, `concurrency` at a time, and returns how much the heap grew for good meanwhile. */
export async function heapGrowth(count: number, send: (index: number) => Promise<unknown>, concurrency = 4): Promise<number> {
  const before = heapUsed();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await send(next++);
    }),
  );
  return heapUsed() - before;
}

export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** A valid document of `bytes` bytes, distinct per index: most of it a comment, which is not a token. */
export function commentedDocument(index: number, bytes: number): string {
  const head = `{ __typename } # ${index} `;
  return head + 'x'.repeat(bytes - head.length);
}
