import {
  getArgumentValues,
  getNamedType,
  getVariableValues,
  isAbstractType,
  isCompositeType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { bucketsForRange, bucketStart, windowsForBuckets } from '../model/buckets.js';
import { decodeCallIdAt } from '../resolvers/globalId.js';
import { validSiteId } from '../resolvers/siteId.js';

/** The slice of Config the estimate reads: how the loaders cut ranges into buckets and buckets into windows. */
export interface WindowSettings {
  readonly bucketSizeMs: number;
  readonly maxWindowMs: number;
  readonly maxRangeMs: number;
}

/** The buckets an operation will ask the loaders for, by site. */
export type BucketsBySite = ReadonlyMap<string, ReadonlySet<number>>;

/**
 * Fragments can make a small document name many fields; the walk stops after this many, as the cost
 * analysis does (which refuses such an operation anyway).
 */
const MAX_WALKED_FIELDS = 10_000;

/**
 * The (site, bucket) keys an operation's fields will load, read from its arguments and variables before
 * anything runs: a range field (`from`/`to`) under a known site names the buckets of its range,
 * `Query.call` and federation's `_entities` the one bucket each Call id names. A site comes from
 * `Query.site(id)`, a Call id or a Site representation, and holds for everything nested below it
 * (`call { site { calls } }` stays on the call's site). Arguments the resolvers will refuse (a bad id or
 * range, invalid variables) name nothing: their fields fail before any request.
 *
 * The walk stops as soon as the buckets found certainly need more than `maxWindows` windows (more sites
 * than that, or more buckets than that many windows hold): an operation naming thousands of sites or
 * ids is refused without building all of their bucket sets first.
 */
export function bucketsOfOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  settings: WindowSettings,
  maxWindows: number,
  now: number,
): BucketsBySite {
  const buckets = new Map<string, Set<number>>();
  const queryType = schema.getQueryType();
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 1 });
  if (!queryType || operation.operation !== 'query' || coerced.errors) return buckets;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const bucketsPerWindow = settings.maxWindowMs / settings.bucketSizeMs;
  let bucketCount = 0;
  const certainlyOver = (): boolean => buckets.size > maxWindows || bucketCount > maxWindows * bucketsPerWindow;
  const add = (siteId: string, bucketList: readonly number[]): void => {
    let set = buckets.get(siteId);
    if (!set) buckets.set(siteId, (set = new Set()));
    for (const bucket of bucketList) {
      if (set.size !== set.add(bucket).size) bucketCount++;
    }
  };
  // A range asked twice (aliases, nested fields) adds nothing the second time.
  const ranges = new Set<string>();
  let fields = 0;

  const walk = (selectionSet: SelectionSetNode, parentType: GraphQLCompositeType, siteId: string | null, spread: Set<string>): void => {
    for (const selection of selectionSet.selections) {
      if (fields >= MAX_WALKED_FIELDS || certainlyOver()) return;
      if (selection.kind === Kind.INLINE_FRAGMENT || selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
        if (!fragment || (selection.kind === Kind.FRAGMENT_SPREAD && spread.has(selection.name.value))) continue;
        const condition = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : parentType;
        if (!isCompositeType(condition) || !appliesTo(schema, condition, parentType)) continue;
        const inner = selection.kind === Kind.FRAGMENT_SPREAD ? new Set([...spread, selection.name.value]) : spread;
        walk(fragment.selectionSet, isAbstractType(condition) ? parentType : condition, siteId, inner);
        continue;
      }
      fields++;
      if (isAbstractType(parentType)) continue;
      const field = parentType.getFields()[selection.name.value];
      if (!field) continue;
      let args: Record<string, unknown>;
      try {
        args = getArgumentValues(field, selection, coerced.coerced);
      } catch {
        continue;
      }
      const childType = getNamedType(field.type);
      const walkChild = (site: string | null, type: GraphQLCompositeType | null = isCompositeType(childType) ? childType : null): void => {
        if (selection.selectionSet && type) walk(selection.selectionSet, type, site, spread);
      };
      if (parentType === queryType && field.name === 'site') {
        walkChild(siteOf(args.id));
      } else if (parentType === queryType && field.name === 'call') {
        const call = callOf(args.id, settings.bucketSizeMs, now);
        if (call) add(call.siteId, [call.bucket]);
        walkChild(call?.siteId ?? null);
      } else if (parentType === queryType && field.name === '_entities') {
        const walked = new Set<string>();
        for (const representation of Array.isArray(args.representations) ? (args.representations as unknown[]) : []) {
          if (certainlyOver()) break;
          const entity = entityOf(representation, settings.bucketSizeMs, now);
          if (!entity) continue;
          if (entity.bucket !== null) add(entity.siteId, [entity.bucket]);
          // Entities of one type and site load the same buckets below them: walked once.
          const type = schema.getType(entity.typename);
          if (!isCompositeType(type) || walked.has(`${entity.typename}|${entity.siteId}`)) continue;
          walked.add(`${entity.typename}|${entity.siteId}`);
          walkChild(entity.siteId, type);
        }
      } else {
        const range = siteId === null ? null : rangeOf(args, settings.maxRangeMs);
        if (range && siteId !== null && !ranges.has(`${siteId}|${range.from}|${range.to}`)) {
          ranges.add(`${siteId}|${range.from}|${range.to}`);
          add(siteId, bucketsForRange(range.from, range.to, settings.bucketSizeMs));
        }
        walkChild(siteId);
      }
    }
  };
  walk(operation.selectionSet, queryType, null, new Set());
  return buckets;
}

/** Upstream requests the loaders would send for these buckets with an empty cache: one per window, as bucketStore plans them. */
export function windowCount(buckets: BucketsBySite, settings: WindowSettings): number {
  let windows = 0;
  for (const siteBuckets of buckets.values()) windows += windowsForBuckets(siteBuckets, settings.bucketSizeMs, settings.maxWindowMs).length;
  return windows;
}

function appliesTo(schema: GraphQLSchema, condition: GraphQLCompositeType, type: GraphQLCompositeType): boolean {
  if (condition === type) return true;
  return isAbstractType(condition) && !isAbstractType(type) && schema.isSubType(condition, type);
}

function siteOf(id: unknown): string | null {
  try {
    return typeof id === 'string' ? validSiteId(id) : null;
  } catch {
    return null;
  }
}

function callOf(id: unknown, bucketSizeMs: number, now: number): { siteId: string; bucket: number } | null {
  try {
    if (typeof id !== 'string') return null;
    const { siteId, beginTime } = decodeCallIdAt(id, now);
    return { siteId, bucket: bucketStart(beginTime, bucketSizeMs) };
  } catch {
    return null;
  }
}

function entityOf(representation: unknown, bucketSizeMs: number, now: number): { typename: string; siteId: string; bucket: number | null } | null {
  if (typeof representation !== 'object' || representation === null) return null;
  const { __typename: typename, id } = representation as { __typename?: unknown; id?: unknown };
  if (typename === 'Site') {
    const siteId = siteOf(id);
    return siteId === null ? null : { typename, siteId, bucket: null };
  }
  if (typename === 'Call') {
    const call = callOf(id, bucketSizeMs, now);
    return call && { typename, ...call };
  }
  return null;
}

/** A range the resolvers accept (see validRange); anything else fails before loading. */
function rangeOf(args: Record<string, unknown>, maxRangeMs: number): { from: number; to: number } | null {
  const { from, to } = args;
  if (typeof from !== 'number' || typeof to !== 'number') return null;
  return from >= 0 && from < to && to - from <= maxRangeMs ? { from, to } : null;
}
