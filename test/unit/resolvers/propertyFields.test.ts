// The fields a warm dashboard reads hundreds of times are read off their models as properties: graphql-jit
// compiles a field without a resolver to a property read, and one with a resolver to a call with its own
// arguments, info object and response path (README Performance, "Fields without resolvers").
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isObjectType } from 'graphql';
import { buildSchema } from '../../../src/schema.js';

const PROPERTY_FIELDS = [
  'CallConnection.nodes',
  'CallConnection.totalCount',
  'DeflectionEventConnection.nodes',
  'DeflectionEventConnection.totalCount',
  'DeflectionEvent.type',
];

describe('fields read as properties', () => {
  it('have no resolver in the schema', () => {
    const schema = buildSchema();
    for (const name of PROPERTY_FIELDS) {
      const [typeName, fieldName] = name.split('.') as [string, string];
      const type = schema.getType(typeName);
      assert.ok(isObjectType(type), `${typeName} is an object type`);
      const field = type.getFields()[fieldName];
      assert.ok(field, `${name} exists`);
      assert.equal(field.resolve, undefined, `${name} has a resolver`);
    }
  });
});
