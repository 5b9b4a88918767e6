import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * Cache entries are keyed by a fingerprint of the upstream credential, so data read with one
 * credential is never served to another. An HMAC, not a plain hash: a cache dump or a Redis key list
 * can't be used to test guesses of a token without the secret. Replicas that share a Redis tier must
 * share the secret (CACHE_KEY_SECRET); a lone process makes its own.
 */
export function createFingerprinter(secret: string | null): (authorization: string) => string {
  const key = secret ?? randomBytes(32).toString('hex');
  return (authorization) => createHmac('sha256', key).update(authorization).digest('base64url').slice(0, 32);
}

/**
 * What replicas sharing a Redis publish of their secret, to find out whether they share one: a hash that
 * names the secret without revealing it (it is salted, and a CACHE_KEY_SECRET is long and random).
 */
export function secretMarker(secret: string): string {
  return createHash('sha256').update(`livedeflect cache key secret:${secret}`).digest('base64url').slice(0, 22);
}
