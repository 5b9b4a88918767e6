import { badUserInput } from '../errors/graphqlErrors.js';

const SITE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Site ids go into upstream requests and cache keys: only the shape LivePerson account ids have. */
export function validSiteId(id: string): string {
  if (!SITE_ID.test(id)) {
    throw badUserInput(`Site id must be a LivePerson account id such as "25508804" (letters, digits, - and _); got "${id.slice(0, 60)}"`, {
      argumentName: 'id',
    });
  }
  return id;
}
