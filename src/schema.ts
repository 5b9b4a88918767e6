import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { projectRoot } from './projectRoot.js';
import { resolvers } from './resolvers/index.js';
import { guardEntityRepresentations } from './resolvers/representation.js';

type SubgraphResolvers = NonNullable<Extract<Parameters<typeof buildSubgraphSchema>[0], { typeDefs: DocumentNode }>['resolvers']>;

/** The SDL in schema/ is the contract: every *.graphql file directly in it, in name order. */
export function readTypeDefs(): DocumentNode {
  const dir = join(projectRoot, 'schema');
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.graphql'))
    .sort();
  if (files.length === 0) throw new Error(`No *.graphql files in ${dir}`);
  return parse(files.map((name) => readFileSync(join(dir, name), 'utf8')).join('\n'));
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
