import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateWindow } from '../../src/simulator/generator.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/server.js';

const HOUR = 3_600_000;
const SITE = '25508804';
const START = Date.UTC(2025, 0, 15, 10);
const NOW = START + 48 * HOUR;
const PATH = '/api/getLiveDeflectData/v2';

interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

function body(siteId = SITE, startTime = START, endTime = START + HOUR): string {
  return JSON.stringify({ siteId, startTime: String(startTime), endTime: String(endTime) });
}

async function post(simulator: Simulator, payload = body(), headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(`${simulator.url}${PATH}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
    body: payload,
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

function errorMessage(reply: Reply): string {
  const parsed = JSON.parse(reply.text) as { success: string; message: string };
  assert.equal(parsed.success, 'false');
  return parsed.message;
}

async function withSimulator(options: SimulatorOptions, test: (simulator: Simulator) => Promise<void>): Promise<void> {
  const simulator = await startSimulator({ callsPerHour: 5, now: () => NOW, ...options });
  try {
    await test(simulator);
  } finally {
    await simulator.close();
  }
}

describe('simulator over HTTP', () => {
  let simulator: Simulator;
  before(async () => {
    simulator = await startSimulator({ seed: 'http', callsPerHour: 5, now: () => NOW });
  });
  after(() => simulator.close());

  it('listens on 127.0.0.1 and reports a base URL without a trailing slash', () => {
    assert.match(simulator.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(simulator.url, `http://127.0.0.1:${simulator.port}`);
  });

  it("answers the window's calls in the wire format, equal to generateWindow", async () => {
    const reply = await post(simulator);
    assert.equal(reply.status, 200);
    assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
    const expected = generateWindow({
      seed: 'http',
      siteId: SITE,
      startTime: START,
      endTime: START + HOUR,
      now: NOW,
      callsPerHour: 5,
    });
    assert.deepEqual(JSON.parse(reply.text), { success: 'true', data: expected });
    assert.equal(Object.keys(expected).length, 5);
  });

  it('logs each request in arrival order with its window, credential, traceparent, status and call count', async () => {
    simulator.clearRequests();
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await post(simulator, body(SITE, START, START + 2 * HOUR), { Authorization: 'Bearer x', traceparent });
    await post(simulator, body('38856538', START, START + HOUR));
    await post(simulator, '{}');
    const logged = simulator.requests.map(({ at, ...rest }) => {
      assert.ok(Math.abs(at - Date.now()) < 10_000);
      return rest;
    });
    assert.deepEqual(logged, [
      { siteId: SITE, startTime: START, endTime: START + 2 * HOUR, authorization: 'Bearer x', traceparent, status: 200, calls: 10 },
      { siteId: '38856538', startTime: START, endTime: START + HOUR, authorization: null, traceparent: null, status: 200, calls: 5 },
      { siteId: '', startTime: NaN, endTime: NaN, authorization: null, traceparent: null, status: 400, calls: 0 },
    ]);
    simulator.clearRequests();
    assert.equal(simulator.requests.length, 0);
  });

  it('answers 404 for another path and 405 for another method', async () => {
    const wrongPath = await fetch(`${simulator.url}/api/getLiveDeflectData/v1`, { method: 'POST', body: body() });
    assert.equal(wrongPath.status, 404);
    assert.match(errorMessage({ status: 404, headers: wrongPath.headers, text: await wrongPath.text() }), /POST/);
    const wrongMethod = await fetch(`${simulator.url}${PATH}`);
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get('allow'), 'POST');
    await wrongMethod.text();
  });

  it('answers 400 with a JSON error for a bad body or an empty window', async () => {
    const cases: [string, RegExp][] = [
      ['not json', /JSON/],
      ['{"startTime":"1","endTime":"2"}', /siteId/],
      ['{"siteId":"1","startTime":"soon","endTime":"2"}', /startTime/],
      [body(SITE, START, START), /less than/],
    ];
    for (const [payload, message] of cases) {
      const reply = await post(simulator, payload);
      assert.equal(reply.status, 400);
      assert.match(errorMessage(reply), message);
    }
  });

  it('serves the clock it is given: a call in progress gains events as now advances', async () => {
    let now = START + HOUR;
    await withSimulator({ now: () => now, callsPerHour: 20 }, async (live) => {
      const count = async (): Promise<number> => {
        const reply = await post(live);
        const { data } = JSON.parse(reply.text) as { data: Record<string, unknown[]> };
        return Object.values(data).reduce((sum, events) => sum + events.length, 0);
      };
      now = START + HOUR / 2;
      const early = await count();
      now = START + HOUR;
      const later = await count();
      assert.ok(later > early, `${later} > ${early}`);
    });
  });
});

describe('simulator auth and limits', () => {
  const credentials = { 'Bearer all': '*', 'Bearer one': [SITE] } as const;

  it('answers 401 without or with an unknown Authorization', async () => {
    await withSimulator({ credentials }, async (simulator) => {
      assert.equal((await post(simulator)).status, 401);
      const unknown = await post(simulator, body(), { Authorization: 'Bearer nope' });
      assert.equal(unknown.status, 401);
      assert.match(errorMessage(unknown), /Authorization/);
      assert.doesNotMatch(unknown.text, /nope/);
      assert.deepEqual(
        simulator.requests.map((request) => [request.status, request.authorization]),
        [
          [401, null],
          [401, 'Bearer nope'],
        ],
      );
    });
  });

  it('answers 403 for a site the credential may not read, 200 for one it may', async () => {
    await withSimulator({ credentials }, async (simulator) => {
      assert.equal((await post(simulator, body(SITE), { Authorization: 'Bearer one' })).status, 200);
      assert.equal((await post(simulator, body('38856538'), { Authorization: 'Bearer one' })).status, 403);
      assert.equal((await post(simulator, body('38856538'), { Authorization: 'Bearer all' })).status, 200);
    });
  });

  it('answers 400 for a window longer than maxWindowMs and 200 for one exactly as long', async () => {
    await withSimulator({ maxWindowMs: HOUR }, async (simulator) => {
      const tooLong = await post(simulator, body(SITE, START, START + HOUR + 1));
      assert.equal(tooLong.status, 400);
      assert.match(errorMessage(tooLong), /maximum/);
      assert.equal((await post(simulator, body(SITE, START, START + HOUR))).status, 200);
    });
  });

  it('with precompute, answers repeated settled windows identically', async () => {
    await withSimulator({ precompute: true }, async (simulator) => {
      const first = await post(simulator);
      const second = await post(simulator);
      assert.equal(first.text, second.text);
      assert.equal(simulator.requests[1]?.calls, 5);
    });
  });
});

describe('simulator fault injection', () => {
  it('answers an injected status with Retry-After, for the given number of times', async () => {
    await withSimulator({}, async (simulator) => {
      simulator.injectFault({ kind: 'status', status: 503, retryAfter: '2', times: 2 });
      for (let i = 0; i < 2; i++) {
        const reply = await post(simulator);
        assert.equal(reply.status, 503);
        assert.equal(reply.headers.get('retry-after'), '2');
        assert.equal(errorMessage(reply), 'Service Unavailable');
      }
      assert.equal((await post(simulator)).status, 200);
      assert.deepEqual(
        simulator.requests.map((request) => request.status),
        [503, 503, 200],
      );
    });
  });

  it('sends an injected status with a custom body, only for the given site', async () => {
    await withSimulator({}, async (simulator) => {
      simulator.injectFault({ kind: 'status', status: 429, body: 'slow down', siteId: '38856538' });
      assert.equal((await post(simulator, body(SITE))).status, 200);
      const limited = await post(simulator, body('38856538'));
      assert.equal(limited.status, 429);
      assert.equal(limited.text, 'slow down');
      simulator.clearFaults();
      assert.equal((await post(simulator, body('38856538'))).status, 200);
    });
  });

  it('delays a normal answer by the injected latency', async () => {
    await withSimulator({}, async (simulator) => {
      simulator.injectFault({ kind: 'latency', ms: 150, times: 1 });
      const started = performance.now();
      const reply = await post(simulator);
      assert.ok(performance.now() - started >= 140);
      assert.equal(reply.status, 200);
      assert.equal(Object.keys((JSON.parse(reply.text) as { data: object }).data).length, 5);
    });
  });

  it('answers 200 with a body that is not JSON for malformed-json', async () => {
    await withSimulator({}, async (simulator) => {
      simulator.injectFault({ kind: 'malformed-json' });
      const reply = await post(simulator);
      assert.equal(reply.status, 200);
      assert.ok(reply.text.startsWith('{"success":"true"'));
      assert.throws(() => JSON.parse(reply.text), SyntaxError);
    });
  });

  it('answers 200 with exactly the injected body', async () => {
    await withSimulator({}, async (simulator) => {
      simulator.injectFault({ kind: 'body', body: '{"success":"true","data":[]}' });
      const reply = await post(simulator);
      assert.equal(reply.status, 200);
      assert.equal(reply.text, '{"success":"true","data":[]}');
    });
  });

  it('resets the connection for reset', async () => {
    await withSimulator({}, async (simulator) => {
      simulator.injectFault({ kind: 'reset', times: 1 });
      await assert.rejects(post(simulator), TypeError);
      assert.equal(simulator.requests[0]?.status, 0);
      assert.equal((await post(simulator)).status, 200);
    });
  });

  it('never answers a hung request, and close() ends it promptly', async () => {
    const simulator = await startSimulator({ callsPerHour: 5, now: () => NOW });
    simulator.injectFault({ kind: 'hang' });
    const pending = post(simulator);
    const outcome = pending.then(
      () => 'answered',
      () => 'failed',
    );
    for (let i = 0; i < 1000 && simulator.requests.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(simulator.requests.length, 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(simulator.requests[0]?.status, 0);
    const started = performance.now();
    await simulator.close();
    assert.equal(await outcome, 'failed');
    assert.ok(performance.now() - started < 1000);
  });

  it('close() also ends requests waiting out an injected latency', async () => {
    const simulator = await startSimulator({ callsPerHour: 5, now: () => NOW });
    simulator.injectFault({ kind: 'latency', ms: 60_000 });
    const outcome = post(simulator).then(
      () => 'answered',
      () => 'failed',
    );
    for (let i = 0; i < 1000 && simulator.requests.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(simulator.requests.length, 1);
    await simulator.close();
    assert.equal(await outcome, 'failed');
  });

  it('applies a probabilistic fault the same way for the same seed and request sequence', async () => {
    const statuses = async (seed: string): Promise<number[]> => {
      let result: number[] = [];
      await withSimulator({ seed }, async (simulator) => {
        simulator.injectFault({ kind: 'status', status: 503, probability: 0.5 });
        for (let i = 0; i < 20; i++) await post(simulator);
        result = simulator.requests.map((request) => request.status);
      });
      return result;
    };
    const first = await statuses('load');
    assert.deepEqual(await statuses('load'), first);
    assert.ok(first.includes(503) && first.includes(200), first.join(','));
  });
});
