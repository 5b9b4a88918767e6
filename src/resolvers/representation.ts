// Federation representations arrive as the `_Any` scalar: nothing has checked their shape before they
// reach us, so each is checked here, and a bad one fails only its own entity.
import { isUnionType, type GraphQLError, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { badUserInput } from '../errors/graphqlErrors.js';

/** The `id` key of a representation; unlike an `ID!` argument nobody checked it is there and a string. */
export function representationId(reference: { readonly id?: unknown }, typename: string): string {
  if (typeof reference.id !== 'string') {
    throw badUserInput(`A ${typename} representation needs its key field "id" as a string, as this subgraph returned it`, {
      argumentName: 'representations',
    });
  }
  return reference.id;
}

/**
 * Makes `_entities` answer a representation that is not an object with the __typename of one of our
 * entity types with that entity's own BAD_USER_INPUT error. @apollo/subgraph throws on one in the middle
 * of its map instead: the whole batch fails, and the promises already started for the representations
 * before it are never awaited, so one of them rejecting would be an unhandled rejection, which ends a
 * Node process.
 */
export function guardEntityRepresentations(schema: GraphQLSchema): GraphQLSchema {
  const field = schema.getQueryType()?.getFields()._entities;
  const entityUnion = schema.getType('_Entity');
  const resolve = field?.resolve;
  if (!field || !resolve || !isUnionType(entityUnion)) return schema;
  const entityTypes = entityUnion.getTypes().map((type) => type.name);
  const guarded: GraphQLFieldResolver<unknown, unknown, { representations: readonly unknown[] }> = async (source, args, context, info) => {
    const problems = args.representations.map((representation) => problemOf(representation, entityTypes));
    const valid = args.representations.filter((_, index) => problems[index] === null);
    const resolved = await settled((await resolve(source, { ...args, representations: valid }, context, info)) as readonly unknown[]);
    let next = 0;
    // Both executors turn an Error returned as a list item into that item's error and a null.
    return problems.map((problem): unknown => (problem === null ? resolved[next++] : problem));
  };
  field.resolve = guarded as GraphQLFieldResolver<unknown, unknown>;
  return schema;
}

/**
 * Each entity's promise settled, a rejection as its Error: graphql-js makes the same item error of
 * either, but graphql-jit (0.8.9) answers a list with rejected items with a null too many for each.
 */
function settled(items: readonly unknown[]): Promise<unknown[]> {
  return Promise.all(items.map((item) => Promise.resolve(item).catch(asError)));
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error('Unexpected error value');
}

function problemOf(representation: unknown, entityTypes: readonly string[]): GraphQLError | null {
  const typename =
    typeof representation === 'object' && representation !== null ? (representation as { __typename?: unknown }).__typename : undefined;
  if (typeof typename === 'string' && entityTypes.includes(typename)) return null;
  return badUserInput(
    `A representation must be an object whose __typename is an entity type of this subgraph (${entityTypes.join(', ')}); got ${describe(typename)}`,
    { argumentName: 'representations' },
  );
}

function describe(typename: unknown): string {
  return typeof typename === 'string' ? `"${typename.slice(0, 60)}"` : 'no __typename';
}
