import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { HOUR_MS, iso, TEST_DAY, TEST_NOW } from '../helpers/day.js';
import { spawnMain, within, type MainProcess } from '../helpers/mainProcess.js';

const SITE = '25508804';
const QUERY = `query Traced { site(id: "${SITE}") { calls(from: "${iso(TEST_DAY)}", to: "${iso(TEST_DAY + 6 * HOUR_MS)}", first: 3) { totalCount nodes { callId } } } }`;
const REGISTER_MODULE_LOG = fileURLToPath(new URL('../helpers/moduleLog/register.mjs', import.meta.url));

/** What an OTLP/HTTP JSON export holds, as far as these tests read it. */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
}
interface OtlpExport {
  resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

/** A small OTLP/HTTP receiver on loopback: keeps every JSON export to /v1/traces and the headers it came with. */
async function startReceiver(): Promise<{ url: string; exports: { headers: IncomingHttpHeaders; body: OtlpExport }[]; server: Server }> {
  const exports: { headers: IncomingHttpHeaders; body: OtlpExport }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces')
        exports.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, exports, server };
}

async function post(url: string, headers: Record<string, string> = {}): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: QUERY }),
  });
  const body = (await response.json()) as { errors?: unknown };
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body;
}

async function stop(main: MainProcess): Promise<void> {
  main.child.kill('SIGTERM');
  await within(main.exited, 30_000, 'the gateway to exit');
}

describe('the gateway as its own process, tracing to an OTLP receiver', () => {
  let simulator: Simulator;
  let dir: string;
  const env = (moduleLog: string) => ({
    LIVEDEFLECT_AUTHORIZATION: 'Bearer process-test',
    LIVEDEFLECT_URL: simulator.url,
    // info: the line that says where it listens is an info line.
    LOG_LEVEL: 'info',
    MODULE_LOG: moduleLog,
    NODE_OPTIONS: `--import=${REGISTER_MODULE_LOG}`,
  });
  before(async () => {
    simulator = await startSimulator({ callsPerHour: 3, now: () => TEST_NOW });
    dir = await mkdtemp(join(tmpdir(), 'livedeflect-tracing-'));
  });
  after(async () => {
    await simulator?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("exports the caller's trace over OTLP http/json: the server span's parent is the caller's span, and LiveDeflect got a traceparent of that trace", async () => {
    const receiver = await startReceiver();
    const moduleLog = join(dir, 'on.log');
    const main = spawnMain({
      ...env(moduleLog),
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=k%201',
      OTEL_SERVICE_NAME: 'livedeflect-under-test',
      OTEL_BSP_SCHEDULE_DELAY: '50',
    });
    try {
      const url = await within(main.graphqlUrl, 60_000, `the gateway to start: ${main.lines.join('\n')}`);
      const traceId = randomBytes(16).toString('hex');
      const callerSpan = randomBytes(8).toString('hex');
      simulator.clearRequests();
      await post(url, { traceparent: `00-${traceId}-${callerSpan}-01` });

      const spansOfTrace = () =>
        receiver.exports
          .flatMap((entry) => entry.body.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans)))
          .filter((span) => span.traceId === traceId);
      // Bounded: the batch is exported every 50 ms; 200 x 50 ms is far more than it needs.
      for (let i = 0; i < 200 && !spansOfTrace().some((span) => span.kind === 2); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      const spans = spansOfTrace();
      const server = spans.filter((span) => span.kind === 2);
      assert.deepEqual(
        server.map((span) => [span.name, span.parentSpanId]),
        [['POST /graphql', callerSpan]],
      );
      assert.ok(spans.some((span) => span.name === 'query Traced'));
      const clientSpans = new Set(spans.filter((span) => span.kind === 3).map((span) => span.spanId));
      const sent = simulator.requests.map((request) => /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(request.traceparent ?? ''));
      assert.ok(sent.length > 0);
      for (const match of sent) {
        assert.equal(match?.[1], traceId, 'LiveDeflect got the trace id');
        assert.ok(clientSpans.has(match[2]!), 'and the id of the CLIENT span that sent it');
      }
      const first = receiver.exports[0]!;
      assert.equal(first.headers['x-collector-key'], 'k 1');
      assert.ok(first.headers['content-type']?.startsWith('application/json'));
      const service = first.body.resourceSpans[0]!.resource.attributes.find((attribute) => attribute.key === 'service.name');
      assert.equal(service?.value.stringValue, 'livedeflect-under-test');
      assert.match(await readFile(moduleLog, 'utf8'), /@opentelemetry\/sdk-trace-node/, 'the module log sees the SDK when it is loaded');
    } finally {
      await stop(main);
      receiver.server.close();
    }
  });

  it('with tracing off (no OTEL_* set) loads no OpenTelemetry SDK module and sends LiveDeflect no traceparent', async () => {
    const moduleLog = join(dir, 'off.log');
    const main = spawnMain(env(moduleLog));
    try {
      const url = await within(main.graphqlUrl, 60_000, `the gateway to start: ${main.lines.join('\n')}`);
      simulator.clearRequests();
      await post(url, { traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01` });

      assert.ok(simulator.requests.length > 0);
      assert.deepEqual(
        simulator.requests.map((request) => request.traceparent),
        simulator.requests.map(() => null),
      );
      const loaded = (await readFile(moduleLog, 'utf8').catch(() => '')).split('\n').filter((line) => line !== '');
      assert.deepEqual(
        loaded.filter((line) => !line.includes('/@opentelemetry/api/')),
        [],
      );
    } finally {
      await stop(main);
    }
  });
});
