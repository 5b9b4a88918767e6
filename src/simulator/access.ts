// Who may read which site. Tokens are compared as the exact Authorization header value, like an
// opaque credential; without a credentials table the simulator is open, as a local upstream should be.

/** Authorization header value -> the site ids it may read, or "*" for every site. */
export type Credentials = Record<string, readonly string[] | '*'>;

export type AccessCheck = 'allowed' | 'unauthenticated' | 'forbidden';

/** Whether the header may call at all (siteId undefined) or may read this site. */
export function checkAccess(credentials: Credentials | undefined, authorization: string | null, siteId?: string): AccessCheck {
  if (credentials === undefined) return 'allowed';
  const sites = authorization === null || !Object.hasOwn(credentials, authorization) ? undefined : credentials[authorization];
  if (sites === undefined) return 'unauthenticated';
  if (siteId === undefined || sites === '*' || sites.includes(siteId)) return 'allowed';
  return 'forbidden';
}
