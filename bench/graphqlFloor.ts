import { buildASTSchema, executeSync, parse, type GraphQLFieldResolver } from 'graphql';
import { readTypeDefs } from '../src/schema.js';

const ROUNDS = 5;
const RUNS = 100;

// Every field answers what the answer holds under its response name (its alias, if it has one).
const readAnswer: GraphQLFieldResolver<Record<string, unknown>, unknown> = (source, _args, _context, info) => source[info.path.key];

/**
 * What graphql-js alone costs for an operation, in CPU ms per execution: the schema's SDL and the same
 * document, every field a synchronous read of the answer it must give (no resolver, loader or cache of
 * ours, no Apollo, no HTTP), the median of a few rounds. The least any gateway executing every field
 * with graphql-js pays; measured in the bench's own process, so it shares the cores with nothing of ours.
 */
export function graphqlFloorMs(query: string, data: unknown): number {
  const schema = buildASTSchema(readTypeDefs(), { assumeValidSDL: true });
  const document = parse(query);
  const run = () => executeSync({ schema, document, rootValue: data, fieldResolver: readAnswer });
  const result = run();
  if (result.errors || JSON.stringify(result.data) !== JSON.stringify(data)) {
    throw new Error('the graphql-js floor did not give the same answer');
  }
  const perRun: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.cpuUsage();
    for (let i = 0; i < RUNS; i++) run();
    const { user, system } = process.cpuUsage(started);
    perRun.push((user + system) / 1000 / RUNS);
  }
  return perRun.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!;
}
