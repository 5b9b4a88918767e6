import { createServer, type Server } from 'node:http';
import { buildSchema, graphql } from 'graphql';
import { request } from 'undici';
import { bucketStart } from '../src/model/buckets.js';
import type { CallModel, EventModel } from '../src/model/call.js';
import { encodeCallId } from '../src/model/callId.js';
import { decodeCallId } from '../src/resolvers/globalId.js';
import { decodeWindow } from '../test/helpers/decodeOracle.js';
import { LIVEDEFLECT_PATH } from '../src/wire/livedeflect.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The slice of the schema the dashboard reads, with the same names, so one document runs on both servers. */
const schema = buildSchema(`
  type Query { site(id: ID!): Site! call(id: ID!): Call }
  type Site { id: ID! calls(from: String!, to: String!, first: Int = 50): CallConnection }
  type CallConnection { totalCount: Int! nodes: [Call!]! }
  type Call {
    id: ID! callId: String! site: Site! beginTime: String! skill: String stage: String! conversationId: String
    events: [DeflectionEvent!]!
  }
  type DeflectionEvent { type: String! info: String time: String! }
`);

interface NaiveContext {
  readonly upstreamUrl: string;
  readonly authorization: string;
  requests: number;
}

/**
 * What a gateway without batching or caching does: plain resolvers, and every field that needs data
 * sends its own upstream request (one per range field, one per Query.call, one per nested
 * `call { site { calls } }`). No DataLoader, no cache. The fan-out scenario counts what it costs.
 */
const rootValue = {
  site: ({ id }: { id: string }) => siteOf(id),
  call: async ({ id }: { id: string }, context: NaiveContext) => {
    const { siteId, callId, beginTime } = decodeCallId(id);
    const start = bucketStart(beginTime, HOUR_MS);
    const calls = await fetchCalls(context, siteId, start, start + HOUR_MS);
    const call = calls.find((candidate) => candidate.callId === callId);
    return call ? callOf(call) : null;
  },
};

function siteOf(id: string) {
  return {
    id,
    calls: async ({ from, to, first }: { from: string; to: string; first: number }, context: NaiveContext) => {
      const calls = await fetchCalls(context, id, Date.parse(from), Date.parse(to));
      return { totalCount: calls.length, nodes: calls.slice(0, first).map(callOf) };
    },
  };
}

function callOf(call: CallModel) {
  return {
    id: encodeCallId(call),
    callId: call.callId,
    site: siteOf(call.siteId),
    beginTime: new Date(call.beginTime).toISOString(),
    skill: call.skill,
    stage: call.stage,
    conversationId: call.conversationId,
    events: call.events.map((event: EventModel) => ({ type: event.type, info: event.info, time: new Date(event.time).toISOString() })),
  };
}

/** The range's calls, one request per day of it (the upstream's maximum window). */
async function fetchCalls(context: NaiveContext, siteId: string, from: number, to: number): Promise<CallModel[]> {
  const calls: CallModel[] = [];
  for (let start = from; start < to; start += DAY_MS) {
    const window = { siteId, startTime: start, endTime: Math.min(to, start + DAY_MS) };
    context.requests++;
    const response = await request(`${context.upstreamUrl}${LIVEDEFLECT_PATH}`, {
      method: 'POST',
      headers: { authorization: context.authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ siteId, startTime: String(window.startTime), endTime: String(window.endTime) }),
    });
    calls.push(...decodeWindow(JSON.parse(await response.body.text()), window).calls);
  }
  return calls.sort((a, b) => a.beginTime - b.beginTime || (a.callId < b.callId ? -1 : 1));
}

/** POST /graphql with graphql-js and nothing else. */
export function startNaiveServer(upstreamUrl: string): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const { query, variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; variables?: Record<string, unknown> };
      const contextValue: NaiveContext = { upstreamUrl, authorization: req.headers.authorization ?? '', requests: 0 };
      void graphql({ schema, source: query, rootValue, contextValue, variableValues: variables ?? null }).then((result) => {
        const body = JSON.stringify({ ...result, extensions: { upstreamRequests: contextValue.requests } });
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
