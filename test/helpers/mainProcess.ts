import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface MainProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Every stdout and stderr line so far. */
  readonly lines: string[];
  /** The GraphQL URL the process logged when ready. */
  readonly graphqlUrl: Promise<string>;
  readonly exited: Promise<number | null>;
}

/** `src/main.ts` as its own process, the way `npm start` runs it, on a free loopback port. */
export function spawnMain(env: Record<string, string>): MainProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', NODE_ENV: '', ...env },
  });
  const lines: string[] = [];
  let ready: (url: string) => void = () => undefined;
  const graphqlUrl = new Promise<string>((resolve) => (ready = resolve));
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        const match = /GraphQL ready at (http:\/\/\S+?\/graphql)/.exec(line);
        if (match) ready(match[1]!);
      }
    });
  }
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, graphqlUrl, exited };
}

/** Rejects after ms, so a process that never gets ready fails the test instead of hanging it. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms).unref()),
  ]);
}
