import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';

const REDIS_SERVER_PATH = '/usr/bin/redis-server';

/**
 * The `skip` option for a suite that needs redis-server: skipped when it is not installed, unless
 * REQUIRE_SYSTEM_DEPS=1 (CI), where the suite runs and fails loudly instead.
 */
export function skipWithoutRedis(): string | false {
  return existsSync(REDIS_SERVER_PATH) || process.env.REQUIRE_SYSTEM_DEPS === '1' ? false : `${REDIS_SERVER_PATH} is not installed`;
}

export interface RedisServer {
  /** redis://127.0.0.1:<port>, with the password in it when there is one */
  readonly url: string;
  readonly port: number;
  /** SIGSTOP: the server keeps its connections but answers nothing, like a hung host. */
  pause(): void;
  resume(): void;
  /** Stops it for good (SIGKILL: no goodbye to clients), and waits for the process to end. */
  kill(): Promise<void>;
}

/**
 * A throwaway redis-server on a free loopback port, with no persistence. The port is free when picked
 * but another process may take it before redis binds it; then redis exits, and a new port is tried.
 */
export async function startRedisServer(options: { password?: string; port?: number } = {}): Promise<RedisServer> {
  // A given port is a restart where clients expect it: it is tried once.
  if (options.port !== undefined) return startOn(options.port, options.password);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(await freePort(), options.password);
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

async function startOn(port: number, password: string | undefined): Promise<RedisServer> {
  const auth = password === undefined ? [] : ['--requirepass', password];
  const child = spawn(REDIS_SERVER_PATH, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...auth], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', () => undefined);
  try {
    await waitForPong(port, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url: password === undefined ? `redis://127.0.0.1:${port}` : `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    port,
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      }
      await exited;
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls PING until the server answers PONG: up to 100 tries, 50 ms apart. */
async function waitForPong(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} before it answered`);
    if (await ping(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server on port ${port} did not answer PING within 5 s`);
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    // A server with a password refuses PING before AUTH: that refusal is an answer too.
    socket.once('data', (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString())));
  });
}
