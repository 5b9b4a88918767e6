import { readFileSync } from 'node:fs';

/** A process's resident set size from /proc (Linux); null elsewhere. */
export function rssOf(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** A process's RSS now, and its highest sample from now until stop() (sampled every 250 ms). */
export function watchRss(pid: number): { readonly before: number | null; peak(): number | null; stop(): void } {
  const before = rssOf(pid);
  let peak = before;
  const sampler = setInterval(() => {
    const rss = rssOf(pid);
    if (rss !== null && (peak === null || rss > peak)) peak = rss;
  }, 250);
  return { before, peak: () => peak, stop: () => clearInterval(sampler) };
}
