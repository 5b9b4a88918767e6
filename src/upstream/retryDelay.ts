/** First retry waits about this long; each further one doubles it. */
const BASE_DELAY_MS = 200;

/**
 * How long to wait before retry number `attempt + 1`. Retry-After (seconds or an HTTP date) wins when
 * the upstream sends it, capped at maxMs (the client fails at once rather than wait a longer one at the
 * cap). Otherwise exponential backoff with equal jitter (between half and all of the step), so replicas
 * that failed together do not come back together, and no retry comes back at once.
 */
export function retryDelayMs(options: { attempt: number; retryAfter: string | null; maxMs: number; now: number; random?: () => number }): number {
  const fromHeader = parseRetryAfter(options.retryAfter, options.now);
  if (fromHeader !== null) return Math.min(fromHeader, options.maxMs);
  const ceiling = Math.min(options.maxMs, BASE_DELAY_MS * 2 ** options.attempt);
  return Math.round(ceiling / 2 + (options.random ?? Math.random)() * (ceiling / 2));
}

export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
