// `npm run schema:print` writes the subgraph SDL that a schema registry takes
// (`rover subgraph publish --schema`) to schema/published/livedeflect.graphql;
// `npm run schema:print -- --check` exits 1 when the committed file is stale or missing.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { graphql, type GraphQLSchema } from 'graphql';
import { projectRoot } from '../projectRoot.js';
import { buildSchema } from '../schema.js';

/** Outside schema/'s top level on purpose: the schema loader reads only schema/*.graphql. */
export const PUBLISHED_SCHEMA_PATH = join(projectRoot, 'schema', 'published', 'livedeflect.graphql');

/**
 * The SDL exactly as the running subgraph serves it at `{ _service { sdl } }`, which is what a router,
 * `rover subgraph introspect` and a registry see. printSubgraphSchema prints the same subgraph in a
 * shorter form (without the federation definitions), so its text would never equal the live answer.
 */
export async function servedSubgraphSdl(schema: GraphQLSchema): Promise<string> {
  const result = await graphql({ schema, source: '{ _service { sdl } }' });
  const sdl = (result.data?._service as { sdl?: unknown } | undefined)?.sdl;
  if (result.errors?.length || typeof sdl !== 'string') {
    throw new Error(`The schema did not answer { _service { sdl } }: ${result.errors?.map((error) => error.message).join('; ') ?? 'no sdl'}`);
  }
  return sdl;
}

/** The file's text: the served SDL and a final newline. */
export const publishedText = (sdl: string): string => `${sdl}\n`;

async function main(check: boolean): Promise<void> {
  const text = publishedText(await servedSubgraphSdl(buildSchema()));
  const shown = relative(projectRoot, PUBLISHED_SCHEMA_PATH);
  if (check) {
    const committed = await readFile(PUBLISHED_SCHEMA_PATH, 'utf8').catch(() => null);
    if (committed !== text) {
      process.stderr.write(`${shown} is ${committed === null ? 'missing' : 'stale'}: run \`npm run schema:print\` and commit it\n`);
      process.exit(1);
    }
    process.stdout.write(`${shown} is up to date\n`);
    return;
  }
  await mkdir(dirname(PUBLISHED_SCHEMA_PATH), { recursive: true });
  await writeFile(PUBLISHED_SCHEMA_PATH, text);
  process.stdout.write(`wrote ${shown} (${Buffer.byteLength(text)} bytes)\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const unknown = process.argv.slice(2).filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    process.stderr.write(`schema:print: unknown argument ${unknown.join(' ')} (usage: npm run schema:print [-- --check])\n`);
    process.exit(2);
  }
  await main(process.argv.includes('--check'));
}
