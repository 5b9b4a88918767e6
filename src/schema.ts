import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { resolvers } from './resolvers/index.js';
import { guardEntityRepresentations } from './resolvers/representation.js';

type SubgraphResolvers = NonNullable<Extract<Parameters<typeof buildSubgraphSchema>[0], { typeDefs: DocumentNode }>['resolvers']>;

/** schema/ sits at the project root, both beside src/ (tsx) and two levels above dist/src/ (built). */
const SCHEMA_DIRS = ['../schema/', '../../schema/'].map((relative) => new URL(relative, import.meta.url));

/** The SDL in schema/ is the contract: every *.graphql file, in name order. */
export function readTypeDefs(): DocumentNode {
  for (const dir of SCHEMA_DIRS) {
    let files: string[];
    try {
      files = readdirSync(dir).filter((name) => name.endsWith('.graphql')).sort();
    } catch {
      continue;
    }
    if (files.length > 0) return parse(files.map((name) => readFileSync(new URL(name, dir), 'utf8')).join('\n'));
  }
  throw new Error(`No schema/*.graphql found near ${fileURLToPath(import.meta.url)}`);
}

/**
 * Always a Federation 2 subgraph schema: standalone clients see the same types and fields, and a
 * supergraph can add this service without a second build of the schema.
 */
export function buildSchema(): GraphQLSchema {
  const schema = buildSubgraphSchema({
    typeDefs: readTypeDefs(),
    // Codegen's Resolvers type is stricter than the subgraph's loose map; they describe the same object.
    resolvers: resolvers as SubgraphResolvers,
  });
  return guardEntityRepresentations(schema);
}
