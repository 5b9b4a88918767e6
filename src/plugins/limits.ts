import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  getVariableValues,
  GraphQLError,
  Kind,
  Lexer,
  Source,
  TokenKind,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { GatewayContext } from '../context.js';
import { estimateCost, TooManyFieldsToWeigh } from '../cost/estimateCost.js';
import { ErrorCode } from '../model/errorCodes.js';
import { OperationMemo, operationKey } from './operationMemo.js';
import { persistedDocumentIdOf } from './persistedDocuments.js';

/** The request limits of Config, by the names of their settings' fields. */
export interface RequestLimits {
  readonly maxTokens: number;
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxRootFields: number;
  readonly maxCost: number;
  readonly maxQueryBytes: number;
  /** DOCUMENT_CACHE_BYTES: the bound of the remembered verdicts. */
  readonly documentCacheBytes: number;
}

/** The setting a client ran into, as extensions.limit tells it. */
type LimitName =
  'MAX_QUERY_BYTES' | 'MAX_TOKENS' | 'MAX_DEPTH' | 'MAX_ALIASES' | 'MAX_ROOT_FIELDS' | 'MAX_COST' | 'MAX_OPERATION_WINDOWS' | 'MAX_BATCH_SIZE';

/**
 * Fragments can make a small document evaluate many fields (a spread used twice in a fragment used
 * twice...). Cost analysis stops walking after this many and refuses the query rather than loop on.
 */
const MAX_COST_NODES = 10_000;

/** A remembered verdict's own bytes: null, or an error whose message is a few hundred characters. */
const VERDICT_BYTES = 1_024;

/** Every refused request: QUERY_TOO_COMPLEX, HTTP 400, which limit and its value, and a message that says what to change. */
export class QueryLimitError extends GraphQLError {
  constructor(limit: LimitName, max: number, message: string, found?: number) {
    super(message, {
      extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, limit, max, ...(found === undefined ? {} : { found }), http: { status: 400 } },
    });
  }
}

/**
 * Refuses documents that would cost the gateway or the upstream too much, before any resolver runs.
 *
 * graphql-armor counts depth and aliases; the cost is the demand-control estimate over the schema's
 * @cost and @listSize (src/cost/), the same number Apollo Router and Hive Gateway compute in front of us,
 * with the real variables and the schema's argument defaults, so `first: $n` and an omitted `first` cost
 * what they will fetch (armor's own cost rule sees only literal arguments). Written here: the root-field count,
 * which neither has, and the token count (armor's Apollo token check answers HTTP 500 with
 * GRAPHQL_VALIDATION_FAILED, a server error for a client's mistake).
 *
 * All but the token count run in didResolveOperation rather than as Apollo validation rules: Apollo
 * rewrites every validation error's code to GRAPHQL_VALIDATION_FAILED, and a validation rule can't see
 * the request's variables. Here they keep QUERY_TOO_COMPLEX.
 */
export function createLimitsPlugin(limits: RequestLimits): ApolloServerPlugin<GatewayContext> {
  const shapeRules = armorRules(limits);
  // Boxed: the memo holds no null values, and "passed" must be remembered as much as "refused".
  const verdicts = new OperationMemo<{ readonly error: GraphQLError | null }>(limits.documentCacheBytes, () => VERDICT_BYTES);
  // Trusted documents whose text passed the token count: their text never changes, so it is counted once. Bounded by
  // the manifest, since an id not in it is refused before parsing.
  const trustedCounted = new Set<string>();
  return {
    // A limit error thrown while parsing reaches Apollo as an unexpected error; rethrowing it here makes
    // Apollo answer it as it is (400 with its code) instead of a 500 "Internal server error".
    async unexpectedErrorProcessingRequest({ error }) {
      if (error instanceof QueryLimitError) throw error;
    },
    async requestDidStart() {
      return {
        // Before the document store is even asked: a text over the limit is never parsed, stored or registered
        // as a persisted query. Comments are not tokens, so this is what bounds a document's text.
        async didResolveSource({ source }) {
          const bytes = Buffer.byteLength(source, 'utf8');
          if (bytes > limits.maxQueryBytes) {
            throw new QueryLimitError(
              'MAX_QUERY_BYTES',
              limits.maxQueryBytes,
              `The query text is ${bytes} bytes; at most ${limits.maxQueryBytes} are allowed (MAX_QUERY_BYTES): send a smaller document, without comments and unused fragments, or split it into several queries`,
              bytes,
            );
          }
        },
        // Tokens are counted before parsing, so a huge document is refused before it is parsed or validated.
        async parsingDidStart({ source, request }) {
          const trustedId = persistedDocumentIdOf(request);
          if (trustedId !== null && trustedCounted.has(trustedId)) return;
          if (tokensOver(source, limits.maxTokens)) {
            throw new QueryLimitError(
              'MAX_TOKENS',
              limits.maxTokens,
              `The document has more than ${limits.maxTokens} tokens (MAX_TOKENS): send a smaller one, without unused fields and fragments, or split it into several queries`,
            );
          }
          if (trustedId !== null) trustedCounted.add(trustedId);
        },
        async didResolveOperation({ document, operation, schema, request, queryHash }) {
          // No such operation: execution answers that, with the names the document has.
          if (!operation) return;
          // A dashboard that polls is checked once per (query text, operation, variables), not on every
          // request: the walks cost more than execution.
          const variables = request.variables ?? {};
          const key = operationKey(queryHash, operation, variables);
          let verdict = key === null ? undefined : verdicts.get(key);
          if (verdict === undefined) {
            verdict = { error: limitError(limits, shapeRules, schema, document, operation, variables) };
            if (key !== null) verdicts.set(key, verdict);
          }
          if (verdict.error) throw verdict.error;
        },
      };
    },
  };
}

/**
 * The same limits for an operation that reaches the gateway outside Apollo (a subscription over WebSocket):
 * the token count before parsing, then the rest for the parsed operation. Each answers the error to send, or null.
 */
export function createOperationLimits(limits: RequestLimits): {
  tokensError(source: string): QueryLimitError | null;
  operationError(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Record<string, unknown>,
  ): GraphQLError | null;
} {
  const shapeRules = armorRules(limits);
  return {
    tokensError: (source) => (tokensOver(source, limits.maxTokens) ? tooManyTokens(limits.maxTokens) : null),
    operationError(schema, document, operation, variables) {
      try {
        return limitError(limits, shapeRules, schema, document, operation, variables);
      } catch (error) {
        if (error instanceof QueryLimitError) return error;
        throw error;
      }
    },
  };
}

function tooManyTokens(maxTokens: number): QueryLimitError {
  return new QueryLimitError(
    'MAX_TOKENS',
    maxTokens,
    `The document has more than ${maxTokens} tokens (MAX_TOKENS): send a smaller one, without unused fields and fragments, or split it into several queries`,
  );
}

/** The first limit the operation breaks, or null. */
function limitError(
  limits: RequestLimits,
  shapeRules: ValidationRule[],
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): GraphQLError | null {
  const rootFields = rootFieldCount(document, operation.selectionSet);
  if (rootFields > limits.maxRootFields) {
    return new QueryLimitError(
      'MAX_ROOT_FIELDS',
      limits.maxRootFields,
      `The operation selects ${rootFields} root fields; at most ${limits.maxRootFields} are allowed (MAX_ROOT_FIELDS): split it into several operations`,
      rootFields,
    );
  }
  const [shapeError] = validate(schema, document, shapeRules);
  if (shapeError) return shapeError;
  const cost = operationCost(schema, document, operation, variables, limits.maxCost);
  if (cost !== null && cost > limits.maxCost) {
    return new QueryLimitError(
      'MAX_COST',
      limits.maxCost,
      `The operation's estimated cost is ${cost}; at most ${limits.maxCost} is allowed (MAX_COST). Objects cost 1 and range fields more (the schema's @cost), times the size of the lists around them (a page's "first"): ask for smaller pages and follow pageInfo.endCursor with "after", select fewer objects, or split the operation`,
      cost,
    );
  }
  return null;
}

/**
 * armor's depth and alias rules, reporting our errors. Its Apollo defaults would report
 * BAD_USER_INPUT with a "Syntax Error:" message; its cost and token protections are replaced (see
 * above), and field suggestions are left to Apollo.
 */
function armorRules(limits: RequestLimits): ValidationRule[] {
  const report = (error: () => QueryLimitError) => (context: ValidationContext | null) => context?.reportError(error());
  return new ApolloArmor({
    maxDepth: {
      n: limits.maxDepth,
      // Depth is how deep fields nest; a fragment spread is not a level of its own.
      flattenFragments: true,
      propagateOnRejection: false,
      onReject: [
        report(
          () =>
            new QueryLimitError(
              'MAX_DEPTH',
              limits.maxDepth,
              `The operation nests fields more than ${limits.maxDepth} levels deep (MAX_DEPTH): select fewer nested levels (call { site { calls } } adds three), or fetch the inner data with a second query`,
            ),
        ),
      ],
    },
    maxAliases: {
      n: limits.maxAliases,
      propagateOnRejection: false,
      onReject: [
        report(
          () =>
            new QueryLimitError(
              'MAX_ALIASES',
              limits.maxAliases,
              `The operation uses more than ${limits.maxAliases} aliases (MAX_ALIASES): split it into several operations of at most ${limits.maxAliases} aliases each`,
            ),
        ),
      ],
    },
    costLimit: { enabled: false },
    maxTokens: { enabled: false },
    maxDirectives: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect().validationRules;
}

/** Whether the document has more than max tokens; counting stops there. A lexing error is left for the parser to report. */
function tokensOver(source: string, max: number): boolean {
  const lexer = new Lexer(new Source(source));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) {
      if (++count > max) return true;
    }
  } catch {
    return false;
  }
  return false;
}

/** Fields in the root selection, fragments included: each one is a separate entry point into the resolvers. */
function rootFieldCount(document: DocumentNode, selectionSet: SelectionSetNode, seen = new Set<string>()): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) count++;
    else if (selection.kind === Kind.INLINE_FRAGMENT) count += rootFieldCount(document, selection.selectionSet, seen);
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = document.definitions.find(
        (definition) => definition.kind === Kind.FRAGMENT_DEFINITION && definition.name.value === selection.name.value,
      );
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION) count += rootFieldCount(document, fragment.selectionSet, seen);
    }
  }
  return count;
}

/**
 * The operation's cost with its variables, or null when its variables are invalid: execution then
 * answers that with its own BAD_USER_INPUT message, which says more than a cost could.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  maxCost: number,
): number | null {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 1 });
  if (coerced.errors) return null;
  try {
    return estimateCost(schema, document, operation, coerced.coerced, MAX_COST_NODES);
  } catch (error) {
    if (!(error instanceof TooManyFieldsToWeigh)) throw error;
    throw new QueryLimitError(
      'MAX_COST',
      maxCost,
      `The operation expands (through fragments) to more than ${MAX_COST_NODES} fields, too many to weigh against the cost limit of ${maxCost} (MAX_COST): spread fewer fragments or split the operation`,
    );
  }
}
