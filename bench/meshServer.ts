import { createServer, type Server } from 'node:http';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { getComposedSchemaFromConfig } from '@graphql-mesh/compose-cli';
import { loadJSONSchemaSubgraph } from '@omnigraph/json-schema';
import { LRUCache } from 'lru-cache';
import { LIVEDEFLECT_PATH } from '../src/wire/livedeflect.js';

type ComposeLogger = Parameters<typeof getComposedSchemaFromConfig>[1];

/** Mesh wants a logger; the bench wants it quiet but for warnings and errors. */
const quietLogger = {
  log: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  warn: (...args: unknown[]) => console.warn(...args),
  error: (...args: unknown[]) => console.error(...args),
  child: () => quietLogger,
} as unknown as ComposeLogger;

/**
 * The setup a user would pick instead of this gateway: Hive Gateway over a GraphQL Mesh json-schema
 * source for the same endpoint. One field, `liveDeflectData(input: { siteId, startTime, endTime })`,
 * one upstream POST per field, the answer's `data` map passed through untyped as a JSON scalar (typing
 * its callId-keyed map would need a transform per call). The client's Authorization goes upstream.
 * With `responseCache`, Hive Gateway keeps whole answers per Authorization header.
 */
export async function startMeshGateway(upstreamUrl: string, responseCache: boolean): Promise<Server> {
  const supergraph = await getComposedSchemaFromConfig(
    {
      subgraphs: [
        {
          sourceHandler: loadJSONSchemaSubgraph('LiveDeflect', {
            endpoint: upstreamUrl,
            operationHeaders: { authorization: '{context.headers.authorization}' },
            operations: [
              {
                type: 'Query',
                field: 'liveDeflectData',
                path: LIVEDEFLECT_PATH,
                method: 'POST',
                requestSchema: {
                  type: 'object',
                  title: 'LiveDeflectWindow',
                  properties: { siteId: { type: 'string' }, startTime: { type: 'string' }, endTime: { type: 'string' } },
                  required: ['siteId', 'startTime', 'endTime'],
                },
                responseSchema: {
                  type: 'object',
                  title: 'LiveDeflectAnswer',
                  properties: { success: { type: 'string' }, data: { type: 'object', additionalProperties: true } },
                },
              },
            ],
          }),
        },
      ],
    },
    quietLogger,
  );
  const gateway = createGatewayRuntime({
    supergraph,
    logging: false,
    ...(responseCache ? { cache: keyValueCache(), responseCaching: { session: (request: Request) => request.headers.get('authorization') } } : {}),
  });
  const server = createServer((req, res) => void gateway(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return server;
}

/** The cache Hive Gateway's response cache stores in: an LRU of 100 answers, TTLs in seconds as Mesh gives them. */
function keyValueCache() {
  // Any value but null and undefined, as lru-cache requires.
  const lru = new LRUCache<string, NonNullable<unknown>>({ max: 100 });
  return {
    get: (key: string) => lru.get(key),
    set: (key: string, value: NonNullable<unknown>, options?: { ttl?: number | null }) =>
      void lru.set(key, value, options?.ttl ? { ttl: options.ttl * 1000 } : {}),
    delete: (key: string) => lru.delete(key),
    getKeysByPrefix: (prefix: string) => [...lru.keys()].filter((key) => key.startsWith(prefix)),
  };
}

/** One aliased field per window: how a Mesh user asks for a range longer than the upstream's window. */
export function meshRangeQuery(siteId: string, windows: readonly { startTime: number; endTime: number }[]): string {
  const fields = windows.map(
    ({ startTime, endTime }, i) =>
      `w${i}: liveDeflectData(input: { siteId: "${siteId}", startTime: "${startTime}", endTime: "${endTime}" }) { success data }`,
  );
  return `query MeshRange { ${fields.join('\n')} }`;
}
