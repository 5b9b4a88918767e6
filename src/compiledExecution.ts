import type { GatewayExecutionResult, GatewayGraphQLRequestContext, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  execute,
  getVariableValues,
  GraphQLError,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type Source,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';

/**
 * Measured with graphql-jit 0.8.9 on this schema: a compiled operation keeps 20–30 bytes of heap (its
 * generated code and closures) per byte of the document's source; the store counts the upper end.
 */
const COMPILED_BYTES_PER_SOURCE_BYTE = 32;
/** What a counted or refused entry holds besides its key: a small object in the LRU's arrays. */
const ENTRY_BYTES = 64;

export interface CompiledExecutionOptions {
  /** The schema Apollo Server validates with and instruments for field hooks: the fallback executes on it. */
  readonly schema: GraphQLSchema;
  /**
   * A second instance of the same schema that Apollo never sees. Apollo wraps every resolver of its
   * schema the first time a plugin asks for field hooks (inline ftv1 traces); graphql-jit takes the
   * resolvers when it compiles, and reading a plain field as a property is what makes it fast, so
   * compiling from the wrapped schema would lose exactly that. Null with COMPILED_EXECUTION=off:
   * every operation then runs on graphql-js, as without this module.
   */
  readonly compileSchema: GraphQLSchema | null;
  /**
   * Runs on graphql-js before an operation is compiled. 1 (COMPILED_EXECUTION=repeated) by default:
   * compiling costs several executions' worth of CPU (~18 ms for the bench's warm dashboard, which
   * then executes in well under a millisecond instead of ~2.5), so a document sent once never pays it.
   * 0 (always) compiles on the first run, which the test suite uses to run every query compiled.
   */
  readonly runsBeforeCompiling: number;
  /** FEDERATED_TRACING: whether a router's ftv1 header gets a trace, so its operation runs with field hooks. */
  readonly federatedTracing: boolean;
  /** DOCUMENT_CACHE_BYTES: the bound of the compiled operations, as of every per-document store. */
  readonly maxBytes: number;
}

/** A document counted so far, compiled, or one not compiled (graphql-jit cannot, or it is too large for the store): it stays on graphql-js. */
type Entry =
  | { readonly kind: 'counted'; readonly runs: number }
  | { readonly kind: 'compiled'; readonly query: CompiledQuery; readonly bytes: number }
  | { readonly kind: 'uncompilable' };

/**
 * Execution of queries with graphql-jit, through Apollo Server's gateway interface (its one hook for
 * another executor): graphql-js spends about half of a warm request in per-field plumbing (argument
 * objects, field collection, completion), where a compiled query reads plain properties and builds
 * plain objects that also stringify faster. Everything before and after execution (parsing,
 * validation, plugins, error formatting, HTTP) stays Apollo's. An operation runs on graphql-js:
 * - until it has run `runsBeforeCompiling` times, and for good when graphql-jit cannot compile it;
 * - when a router asks for an inline trace (ftv1), whose field timings come from Apollo's field hooks;
 * - when it is not a query (none is a subscription: plugins/subscriptionCallback.ts answers or refuses each before execution).
 * Both executors run the same resolvers, so answers, partial data and errors are the same, with one
 * difference a resolver must keep away from: graphql-jit 0.8.9 answers a list whose items are promises
 * that reject with a null too many for each, so a list resolver settles its items first (the one such
 * list, `_entities`, does: resolvers/representation.ts).
 */
export function createCompiledExecution(options: CompiledExecutionOptions): GatewayInterface {
  const { schema, compileSchema } = options;
  const entries = new LRUCache<string, Entry>({
    maxSize: options.maxBytes,
    sizeCalculation: (entry, key) => key.length + (entry.kind === 'compiled' ? entry.bytes : ENTRY_BYTES),
  });

  const compiledFor = (request: GatewayGraphQLRequestContext): CompiledQuery | null => {
    if (compileSchema === null) return null;
    const key = `${request.queryHash}\0${request.operationName ?? ''}`;
    const entry = entries.get(key);
    if (entry?.kind === 'compiled') return entry.query;
    if (entry?.kind === 'uncompilable') return null;
    const runs = entry?.runs ?? 0;
    if (runs < options.runsBeforeCompiling) {
      entries.set(key, { kind: 'counted', runs: runs + 1 });
      return null;
    }
    // One too large for the whole store would be compiled, dropped by the store and compiled again each time.
    const bytes = COMPILED_BYTES_PER_SOURCE_BYTE * Buffer.byteLength(request.source, 'utf8');
    const compiled = bytes <= options.maxBytes ? compiledOrNull(compileSchema, request) : null;
    if (!compiled) {
      entries.set(key, { kind: 'uncompilable' });
      return null;
    }
    entries.set(key, { kind: 'compiled', query: compiled, bytes });
    return compiled;
  };

  const executor = async (request: GatewayGraphQLRequestContext): Promise<GatewayExecutionResult> => {
    // Undefined, despite its type, when the document names no operation to run (graphql-js gives that error).
    const operation = request.operation as OperationDefinitionNode | undefined;
    const compiled = operation?.operation === 'query' && !asksForFieldTrace(request, options.federatedTracing) ? compiledFor(request) : null;
    if (!operation || !compiled) {
      return execute({
        schema,
        document: request.document,
        contextValue: request.context,
        variableValues: request.request.variables,
        // The name the client sent: Apollo's own is null when no operation has it, and graphql-js says so.
        operationName: request.request.operationName,
      });
    }
    // Variables refused as graphql-js refuses them, with the variable's node: Apollo answers those 400 BAD_USER_INPUT.
    const variables = getVariableValues(schema, operation.variableDefinitions ?? [], request.request.variables ?? {});
    if (variables.errors) return { errors: variables.errors };
    const result: ExecutionResult = await compiled.query(undefined, request.context, request.request.variables ?? {});
    return result.errors ? { ...result, errors: result.errors.map((error) => asGraphQLError(error, request.document.loc?.source)) } : result;
  };

  return {
    // One schema for the server's life: Apollo takes it once and nothing ever updates it.
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    load: async () => ({ executor }),
    stop: async () => {},
  };
}

/**
 * graphql-jit's compilation of the request's operation, or null where it gives errors instead or throws:
 * a document graphql-js runs must not fail because another executor could not take it.
 */
function compiledOrNull(schema: GraphQLSchema, request: GatewayGraphQLRequestContext): CompiledQuery | null {
  try {
    const compiled = compileQuery(schema, request.document, request.operationName ?? undefined);
    return isCompiledQuery(compiled) ? compiled : null;
  } catch {
    return null;
  }
}

/** As Apollo's inline-trace plugin decides: traces are on and the router sent `apollo-federation-include-trace: ftv1`. */
function asksForFieldTrace(request: GatewayGraphQLRequestContext, federatedTracing: boolean): boolean {
  return federatedTracing && request.request.http?.headers.get('apollo-federation-include-trace') === 'ftv1';
}

/**
 * graphql-jit's errors are its own kind of GraphQLError: without `extensions` when the resolver's error
 * had none (Apollo reads `extensions.code` of every error) and without nodes. The same error as
 * graphql-js would make it: its message, path, original error and extensions, located in the source.
 */
function asGraphQLError(error: GraphQLError, source: Source | undefined): GraphQLError {
  const positions = source && error.locations?.map(({ line, column }) => positionOf(source.body, line, column));
  return new GraphQLError(error.message, {
    source,
    positions,
    path: error.path,
    originalError: error.originalError ?? undefined,
    extensions: error.extensions,
  });
}

/** The offset in `body` of a 1-based line and column, as graphql-js's getLocation counts them (\r\n, \n or \r ends a line). */
function positionOf(body: string, line: number, column: number): number {
  const lineBreak = /\r\n|[\n\r]/g;
  let start = 0;
  for (let current = 1; current < line; current++) {
    const found = lineBreak.exec(body);
    if (!found) break;
    start = found.index + found[0].length;
  }
  return start + column - 1;
}
