import { getDirectiveValues, getNamedType, isObjectType, type GraphQLDirective, type GraphQLSchema } from 'graphql';

/** What @listSize says about one field (https://specs.apollo.dev/cost/v0.1). */
interface ListSize {
  /** The size assumed for a list field whose length no argument gives. */
  readonly assumedSize: number | null;
  /** Arguments whose largest value is the list's size (`first`). */
  readonly slicingArguments: readonly string[];
  /** Child fields that hold the slice (a connection's `edges` and `nodes`); none: the field itself is the list. */
  readonly sizedFields: readonly string[];
}

/** The demand-control directives of a schema, looked up by type and field name. */
export interface CostDirectives {
  /** @cost on a field, else on the type it returns; null when neither has one. */
  weight(typeName: string, fieldName: string): number | null;
  listSize(typeName: string, fieldName: string): ListSize | null;
}

/**
 * The names our schema imports them under (`@link(url: ".../federation/v2.9", import: ["@cost", "@listSize"])`).
 * A test checks the published SDL imports them so, which is what the routers read.
 */
const COST = 'cost';
const LIST_SIZE = 'listSize';

const tables = new WeakMap<GraphQLSchema, CostDirectives>();

/** Read once per schema: the walk over an operation then costs a map lookup per field. */
export function costDirectivesOf(schema: GraphQLSchema): CostDirectives {
  let table = tables.get(schema);
  if (!table) tables.set(schema, (table = readCostDirectives(schema)));
  return table;
}

function readCostDirectives(schema: GraphQLSchema): CostDirectives {
  const cost = schema.getDirective(COST);
  const listSize = schema.getDirective(LIST_SIZE);
  const typeWeights = new Map<string, number>();
  const fieldWeights = new Map<string, number>();
  const listSizes = new Map<string, ListSize>();
  const types = Object.values(schema.getTypeMap());
  for (const type of types) {
    const weight = cost && type.astNode ? weightOf(cost, type.astNode) : null;
    if (weight !== null) typeWeights.set(type.name, weight);
  }
  for (const type of types) {
    if (!isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const key = `${type.name}.${field.name}`;
      const own = cost && field.astNode ? weightOf(cost, field.astNode) : null;
      const weight = own ?? typeWeights.get(getNamedType(field.type).name) ?? null;
      if (weight !== null) fieldWeights.set(key, weight);
      const size = listSize && field.astNode ? getDirectiveValues(listSize, field.astNode) : undefined;
      if (size) {
        listSizes.set(key, {
          assumedSize: typeof size.assumedSize === 'number' ? size.assumedSize : null,
          slicingArguments: stringList(size.slicingArguments),
          sizedFields: stringList(size.sizedFields),
        });
      }
    }
  }
  return {
    weight: (typeName, fieldName) => fieldWeights.get(`${typeName}.${fieldName}`) ?? null,
    listSize: (typeName, fieldName) => listSizes.get(`${typeName}.${fieldName}`) ?? null,
  };
}

function weightOf(cost: GraphQLDirective, node: Parameters<typeof getDirectiveValues>[1]): number | null {
  const values = getDirectiveValues(cost, node);
  return typeof values?.weight === 'number' ? values.weight : null;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
