import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { TEST_NOW } from '../helpers/day.js';
import { startStack, type Stack } from '../helpers/stack.js';

/** A raw loopback connection that records what the server sent and whether it closed. */
interface RawConnection {
  readonly socket: Socket;
  readonly received: () => string;
  readonly closed: Promise<void>;
  readonly isClosed: () => boolean;
}

async function open(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let text = '';
  let closedNow = false;
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  // A reset after the server's answer is how some closes arrive; what matters is what was received.
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closedNow = true;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => text, closed, isClosed: () => closedNow };
}

/** Waits for a condition, up to ms; a bound so that a server that never acts fails the test instead of hanging it. */
async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  for (let waited = 0; !condition() && waited < ms; waited += 20) await sleep(20);
  return condition();
}

const CHUNK = Buffer.alloc(64 * 1024, 'a');

describe('the HTTP edge bounds what a client can hold', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      env: { MAX_BODY_BYTES: '64KiB', REQUEST_TIMEOUT: '1s', HEADERS_TIMEOUT: '1s', MAX_CONNECTIONS: '4' },
      simulator: { callsPerHour: 1, now: () => TEST_NOW },
    });
  });
  after(() => stack.close());

  it('a chunked body is answered 413 as soon as it passes MAX_BODY_BYTES, and the connection closes without reading the rest', async () => {
    const connection = await open(stack.gatewayUrl);
    connection.socket.write('POST /graphql HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n');
    // Bounded: at most 64 MiB is offered. Reading to the end would never answer, since the body never ends.
    const cap = 64 * 1024 * 1024;
    let written = 0;
    while (written < cap && !connection.isClosed() && connection.received() === '') {
      const flushed =
        connection.socket.write(`${CHUNK.length.toString(16)}\r\n`) && connection.socket.write(Buffer.concat([CHUNK, Buffer.from('\r\n')]));
      written += CHUNK.length;
      if (!flushed) await Promise.race([new Promise((resolve) => connection.socket.once('drain', resolve)), connection.closed, sleep(2_000)]);
    }
    assert.ok(
      await waitFor(connection.isClosed, 10_000),
      `the connection stayed open (received ${JSON.stringify(connection.received().slice(0, 200))})`,
    );
    assert.match(connection.received(), /^HTTP\/1\.1 413 /);
    assert.match(connection.received(), /PAYLOAD_TOO_LARGE/);
    assert.match(connection.received(), /connection: close/i);
    assert.ok(written < cap, `the client could write all ${written} bytes`);
  });

  it('a declared Content-Length over the limit is answered 413 before any body is read, and the connection closes', async () => {
    const connection = await open(stack.gatewayUrl);
    connection.socket.write('POST /graphql HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 100000000\r\n\r\n{');
    assert.ok(await waitFor(connection.isClosed, 10_000), 'the connection stayed open');
    assert.match(connection.received(), /^HTTP\/1\.1 413 /);
  });

  it("a body that never finishes is cut off after REQUEST_TIMEOUT, not held for Node's default of 300 s", async () => {
    const connection = await open(stack.gatewayUrl);
    connection.socket.write('POST /graphql HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"query":');
    assert.ok(await waitFor(connection.isClosed, 15_000), 'the slow request was still held');
    assert.match(connection.received(), /^HTTP\/1\.1 408 /);
  });

  it('headers that never finish are cut off after HEADERS_TIMEOUT', async () => {
    const connection = await open(stack.gatewayUrl);
    connection.socket.write('GET /healthz HTTP/1.1\r\nhost: localhost\r\nx-slow: ');
    assert.ok(await waitFor(connection.isClosed, 15_000), 'the slow headers were still held');
  });

  it('MAX_CONNECTIONS: a connection past the cap is closed unanswered; once one closes, a new one is served', async () => {
    const held = await Promise.all([0, 1, 2, 3].map(() => open(stack.gatewayUrl)));
    // Each is accepted and served, and stays open (keep-alive).
    for (const connection of held) connection.socket.write('GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n');
    assert.ok(await waitFor(() => held.every((connection) => connection.received().includes('"ok"')), 10_000));
    const extra = await open(stack.gatewayUrl);
    extra.socket.write('GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n');
    assert.ok(await waitFor(extra.isClosed, 10_000), 'the connection past the cap was kept');
    assert.equal(extra.received(), '');

    held[0]!.socket.destroy();
    await held[0]!.closed;
    // The server learns of the close asynchronously; a bounded number of attempts.
    let served = false;
    for (let attempt = 0; attempt < 50 && !served; attempt++) {
      const next = await open(stack.gatewayUrl);
      next.socket.write('GET /healthz HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n');
      await Promise.race([next.closed, sleep(5_000)]);
      served = next.received().includes('"ok"');
      next.socket.destroy();
      if (!served) await sleep(50);
    }
    assert.ok(served, 'no connection was served after one of the held ones closed');
    for (const connection of held) connection.socket.destroy();
  });
});
