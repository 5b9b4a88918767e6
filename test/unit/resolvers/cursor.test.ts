import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphQLError } from 'graphql';
import { decodeCursor, encodeCursor } from '../../../src/resolvers/cursor.js';

const isBadUserInput = (error: unknown) => error instanceof GraphQLError && error.extensions.code === 'BAD_USER_INPUT';

describe('cursors', () => {
  const scope = { field: 'calls', order: 'ASC' } as const;
  it('round-trip their key', () => {
    assert.deepEqual(decodeCursor(encodeCursor(scope, [5, 'x']), scope, ['number', 'string']), [5, 'x']);
  });
  it('are refused by another field or order', () => {
    const cursor = encodeCursor(scope, [5, 'x']);
    assert.throws(() => decodeCursor(cursor, { field: 'events', order: 'ASC' }, ['number', 'string']), isBadUserInput);
    assert.throws(() => decodeCursor(cursor, { field: 'calls', order: 'DESC' }, ['number', 'string']), isBadUserInput);
    assert.throws(() => decodeCursor('garbage', scope, ['number', 'string']), isBadUserInput);
  });
});
