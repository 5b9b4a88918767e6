import { badUserInput } from '../errors/graphqlErrors.js';

const SITE_ID = /^\d{1,20}$/;

/** Site ids go into upstream requests and cache keys: only the shape LivePerson account ids have (digits). */
export function validSiteId(id: string): string {
  if (!SITE_ID.test(id)) {
    throw badUserInput(`Site id must be a LivePerson account id: digits only, such as "25508804"; got "${id.slice(0, 60)}"`, {
      argumentName: 'id',
    });
  }
  return id;
}
