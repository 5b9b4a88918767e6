import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isCompositeType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { costDirectivesOf, type CostDirectives } from './costDirectives.js';

/** The operation expands (through fragments) to more fields than the walk may visit. */
export class TooManyFieldsToWeigh extends Error {
  override readonly name = 'TooManyFieldsToWeigh';
  constructor(readonly maxFields: number) {
    super(`more than ${maxFields} fields to weigh`);
  }
}

interface Walk {
  readonly schema: GraphQLSchema;
  readonly directives: CostDirectives;
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  /** Coerced variable values: `first: $n` costs what it will fetch. */
  readonly variables: Record<string, unknown>;
  readonly maxFields: number;
  fields: number;
}

/**
 * The static cost of an operation as the demand-control spec has it (IBM's cost spec, which Apollo Router
 * and Hive Gateway implement over @cost and @listSize): an object field costs 1, a scalar or enum 0,
 * unless @cost on the field or its type says otherwise; a list multiplies the cost of each item (its
 * weight and its selection) by its size: @listSize's slicing argument (`first`, from the variables or the
 * schema default) on the field or, with sizedFields, on those children (a connection's `edges`,
 * `nodes`), else its assumedSize, else 1. Sizes multiply down nested lists. Introspection and __typename
 * are free, so GraphiQL can always load the schema.
 *
 * Where the spec leaves a choice: fragments are counted where they are spread (as often as they are),
 * fields skipped by @skip/@include cost nothing, and of an abstract type's possible types the dearest
 * counts (each item is one of them). Federation's `_entities` has no directive (it is generated), and
 * its size is known exactly: one item per representation.
 */
export function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  maxFields: number,
): number {
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const walk: Walk = { schema, directives: costDirectivesOf(schema), fragments, variables, maxFields, fields: 0 };
  return selectionCost(walk, operation.selectionSet, root, null);
}

/** `sized`: the list size a parent's @listSize(sizedFields) gives these fields, by name. */
function selectionCost(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLCompositeType, sized: ReadonlyMap<string, number> | null): number {
  if (!isAbstractType(type)) return fieldsCost(walk, selectionSet, type, sized);
  let dearest = 0;
  for (const possible of walk.schema.getPossibleTypes(type)) dearest = Math.max(dearest, fieldsCost(walk, selectionSet, possible, sized));
  return dearest;
}

function fieldsCost(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLObjectType, sized: ReadonlyMap<string, number> | null): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (!included(walk, selection)) continue;
    if (selection.kind === Kind.FIELD) cost += fieldCost(walk, selection, type, sized);
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (applies(walk, selection.typeCondition?.name.value, type)) cost += fieldsCost(walk, selection.selectionSet, type, sized);
    } else {
      const fragment = walk.fragments.get(selection.name.value);
      if (fragment && applies(walk, fragment.typeCondition.name.value, type)) cost += fieldsCost(walk, fragment.selectionSet, type, sized);
    }
  }
  return cost;
}

function fieldCost(walk: Walk, node: FieldNode, parent: GraphQLObjectType, sized: ReadonlyMap<string, number> | null): number {
  if (++walk.fields > walk.maxFields) throw new TooManyFieldsToWeigh(walk.maxFields);
  const name = node.name.value;
  const field = parent.getFields()[name];
  // __typename, __schema, __type; and a field validation would have refused.
  if (name.startsWith('__') || !field) return 0;
  const type = getNamedType(field.type);
  const weight = walk.directives.weight(parent.name, name) ?? (isCompositeType(type) ? 1 : 0);
  const listSize = walk.directives.listSize(parent.name, name);
  const args = listSize?.slicingArguments.length || name === '_entities' ? getArgumentValues(field, node, walk.variables) : {};
  const slice = listSize ? sliceOf(listSize.slicingArguments, args) : null;
  const slicesChildren = slice !== null && listSize !== null && listSize.sizedFields.length > 0;
  const representations = Array.isArray(args.representations) ? args.representations.length : null;
  const size = sized?.get(name) ?? (slicesChildren ? null : slice) ?? listSize?.assumedSize ?? representations ?? 1;
  const children =
    node.selectionSet && isCompositeType(type)
      ? selectionCost(walk, node.selectionSet, type, slicesChildren ? new Map(listSize.sizedFields.map((child) => [child, slice])) : null)
      : 0;
  return size * (weight + children);
}

/** The largest slicing argument given (or defaulted), or null when none is. */
function sliceOf(slicingArguments: readonly string[], args: Record<string, unknown>): number | null {
  let slice: number | null = null;
  for (const argument of slicingArguments) {
    const value = args[argument];
    if (typeof value === 'number' && value >= 0) slice = Math.max(slice ?? 0, value);
  }
  return slice;
}

function applies(walk: Walk, typeCondition: string | undefined, type: GraphQLObjectType): boolean {
  if (typeCondition === undefined || typeCondition === type.name) return true;
  const condition = walk.schema.getType(typeCondition);
  return condition !== undefined && isAbstractType(condition) && walk.schema.isSubType(condition, type);
}

function included(walk: Walk, node: FieldNode | InlineFragmentNode | { readonly directives?: FieldNode['directives'] }): boolean {
  if (!node.directives?.length) return true;
  if (getDirectiveValues(GraphQLSkipDirective, node, walk.variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, walk.variables)?.if !== false;
}
