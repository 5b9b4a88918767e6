import { formatDuration } from '../duration.js';
import { badUserInput } from '../errors/graphqlErrors.js';
import { MAX_PAGE_SIZE } from '../model/order.js';

/** [from, to) on the call's begin time: a non-empty range no longer than MAX_RANGE. */
export function validRange(from: number, to: number, maxRangeMs: number): { from: number; to: number } {
  if (from < 0) {
    throw badUserInput(`"from" must not be before 1970-01-01T00:00:00Z (LiveDeflect times are epoch milliseconds); got ${iso(from)}`, {
      argumentName: 'from',
    });
  }
  if (from >= to) {
    throw badUserInput(`"from" must be earlier than "to"; got from=${iso(from)}, to=${iso(to)}`, { argumentName: 'from' });
  }
  if (to - from > maxRangeMs) {
    throw badUserInput(
      `The range from ${iso(from)} to ${iso(to)} is longer than the ${formatDuration(maxRangeMs)} allowed: split it into several queries (or aliases) of at most ${formatDuration(maxRangeMs)}`,
      { argumentName: 'to' },
    );
  }
  return { from, to };
}

export function validPageSize(first: number): number {
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badUserInput(`"first" must be from 0 to ${MAX_PAGE_SIZE}; got ${first}. Page through longer lists with "after"`, {
      argumentName: 'first',
    });
  }
  return first;
}

export function iso(time: number): string {
  return new Date(time).toISOString();
}
