import { readFile } from 'node:fs/promises';
import { GraphQLError, parse, specifiedRules, validate, type GraphQLSchema } from 'graphql';
import { ConfigError } from './config.js';
import { isJsonObject } from './wire/json.js';
import { knownOperationTypesRule } from './plugins/knownOperationTypesRule.js';

/** The trusted documents: each document's text by its id. Fixed at start, so its size is the operator's, not a client's. */
export type PersistedDocuments = ReadonlyMap<string, string>;

/**
 * Reads a trusted-documents manifest in either format a client toolchain writes:
 * - graphql-codegen's client preset with `persistedDocuments: true`: `{ "<hash>": "<document>" }`;
 * - Apollo's persisted query manifest: `{ "format": "apollo-persisted-query-manifest", "version": 1,
 *   "operations": [{ "id", "name", "type", "body" }] }`.
 * Every document must parse and validate against the schema now: a manifest built from another
 * version of the schema is refused at start (ConfigError naming the document's id), not at the first
 * request that names it.
 */
export async function loadPersistedDocuments(file: string, schema: GraphQLSchema): Promise<PersistedDocuments> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`PERSISTED_DOCUMENTS: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`PERSISTED_DOCUMENTS: ${file} is not JSON (${(error as Error).message})`);
  }
  const documents = manifestEntries(json, file);
  for (const [id, document] of documents) {
    const problem = documentProblem(schema, document);
    if (problem) throw new ConfigError(`PERSISTED_DOCUMENTS: document "${id}" in ${file} ${problem}`);
  }
  return documents;
}

function manifestEntries(json: unknown, file: string): Map<string, string> {
  const shape = `must be {"<id>": "<document>", ...} or an Apollo persisted query manifest`;
  if (!isJsonObject(json)) throw new ConfigError(`PERSISTED_DOCUMENTS: ${file} ${shape}`);
  const entries = new Map<string, string>();
  const add = (id: unknown, body: unknown, where: string): void => {
    if (typeof id !== 'string' || id === '' || typeof body !== 'string') {
      throw new ConfigError(`PERSISTED_DOCUMENTS: ${where} in ${file} needs a non-empty string id and a string document`);
    }
    if (entries.has(id)) throw new ConfigError(`PERSISTED_DOCUMENTS: document "${id}" is listed twice in ${file}`);
    entries.set(id, body);
  };
  if (json.format === 'apollo-persisted-query-manifest') {
    if (json.version !== 1 || !Array.isArray(json.operations)) {
      throw new ConfigError(`PERSISTED_DOCUMENTS: ${file} is an Apollo manifest, but not version 1 with an "operations" list`);
    }
    json.operations.forEach((operation: unknown, index) => {
      const { id, body } = isJsonObject(operation) ? operation : {};
      add(id, body, `operations[${index}]`);
    });
  } else {
    for (const [id, body] of Object.entries(json)) add(id, body, `entry "${id}"`);
  }
  return entries;
}

/** Why the document can't run against the schema, as the rest of a sentence; null when it can. */
function documentProblem(schema: GraphQLSchema, text: string): string | null {
  try {
    const [error] = validate(schema, parse(text), [...specifiedRules, knownOperationTypesRule]);
    return error ? `does not validate against the schema: ${error.message}` : null;
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return `does not parse: ${error.message}`;
  }
}
