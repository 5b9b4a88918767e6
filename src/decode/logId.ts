import { createHash } from 'node:crypto';

/**
 * How the log names an id the upstream sent (a callId): a short hash, so a log line can be matched to
 * the call by whoever holds the data, and holds nothing the upstream wrote.
 */
export function logId(id: string): string {
  return `#${createHash('sha256').update(id).digest('base64url').slice(0, 12)}`;
}
