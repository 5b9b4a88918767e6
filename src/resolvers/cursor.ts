import { badUserInput } from '../errors/graphqlErrors.js';
import type { SortKey } from '../model/order.js';

/** Which list a cursor belongs to: a cursor only makes sense in the field and order that made it. */
export interface CursorScope {
  readonly field: 'calls' | 'events';
  readonly order: 'ASC' | 'DESC';
}

/** The sort key of the last item seen: keyset paging stays stable when new calls arrive. */
export type CursorKey = SortKey;

export function encodeCursor(scope: CursorScope, key: CursorKey): string {
  return Buffer.from(JSON.stringify([scope.field, scope.order, ...key])).toString('base64url');
}

/** Throws BAD_USER_INPUT when the cursor was not made by this field with this order. */
export function decodeCursor(cursor: string, scope: CursorScope, keyShape: readonly ('string' | 'number')[]): CursorKey {
  let parsed: unknown = null;
  if (/^[A-Za-z0-9_-]{1,1000}$/.test(cursor)) {
    try {
      parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      parsed = null;
    }
  }
  const valid =
    Array.isArray(parsed) &&
    parsed.length === keyShape.length + 2 &&
    parsed[0] === scope.field &&
    parsed[1] === scope.order &&
    keyShape.every((type, i) => typeof parsed[i + 2] === type);
  if (!valid) {
    throw badUserInput(
      `"after" is not a cursor of ${scope.field} in ${scope.order} order: pass pageInfo.endCursor from the previous page of this same field and order, or omit "after" to start at the first page`,
      { argumentName: 'after' },
    );
  }
  return (parsed as unknown[]).slice(2) as CursorKey;
}
