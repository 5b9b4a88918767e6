import type { ServerResponse } from 'node:http';

/**
 * An answer marked `Cache-Control: private` was read with the client's credential: a shared or browser
 * cache must not hand it to a request with another Authorization header, so it says so with Vary.
 */
export function varyPrivateByAuthorization(res: ServerResponse): void {
  const cacheControl = res.getHeader('cache-control');
  if (typeof cacheControl !== 'string' || !/(^|[\s,])private([\s,=]|$)/i.test(cacheControl)) return;
  const vary = res.getHeader('vary');
  const names =
    typeof vary === 'string'
      ? vary
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name !== '')
      : [];
  if (names.some((name) => name === '*' || name.toLowerCase() === 'authorization')) return;
  res.setHeader('vary', [...names, 'Authorization'].join(', '));
}
