import { randomBytes } from 'node:crypto';
import type { Config } from './config.js';
import { startSimulator, type Simulator } from './simulator/server.js';

export interface Upstream {
  readonly url: string;
  /** The credential the gateway sends when no client credential should be needed. */
  readonly authorization: string | null;
  readonly simulator: Simulator | null;
}

/**
 * The configured LiveDeflect, or with no LIVEDEFLECT_URL the embedded simulator on a free loopback
 * port, so `npm start` answers queries at once. The simulator still checks a credential, like the real
 * upstream; the gateway holds the only one (made fresh per start), so a person in GraphiQL enters none.
 * With LIVEDEFLECT_REPLAY it serves recorded answers instead of generated ones.
 */
export async function resolveUpstream(config: Config): Promise<Upstream> {
  if (config.upstreamUrl) return { url: config.upstreamUrl, authorization: config.upstreamAuthorization, simulator: null };
  const authorization = config.upstreamAuthorization ?? `Bearer simulator-${randomBytes(16).toString('hex')}`;
  const simulator = await startSimulator({
    seed: config.simulatorSeed,
    host: '127.0.0.1',
    port: 0,
    credentials: { [authorization]: '*' },
    // Nobody reads the embedded simulator's log; keep a little for debugging and let the rest go.
    requestLogLimit: 100,
    replayDir: config.replayDir ?? undefined,
  });
  return { url: simulator.url, authorization, simulator };
}
