// The simulator's options: documented, validated once and given their defaults here, so the request
// path can trust every field.
import type { Credentials } from './access.js';
import { MAX_CALLS_PER_HOUR, type CallsPerHour } from './callRate.js';

export interface SimulatorOptions {
  /** Seeds all data and probabilistic faults. Default "livedeflect". */
  seed?: string;
  /** Default "127.0.0.1". */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** The clock that decides which events have happened. Default Date.now. */
  now?: () => number;
  /** Default: the site's business-day curve (~130 calls an hour on average for site 25508804). */
  callsPerHour?: CallsPerHour;
  /** Requests with endTime - startTime above this get a 400. Default: no limit. */
  maxWindowMs?: number;
  /** When set, an Authorization header from this table is required (401) and must allow the site (403). */
  credentials?: Credentials;
  /** Keep serialised answers per (site, start, end), so benchmarks measure the gateway, not generation. */
  precompute?: boolean;
  /** Serve the recordings in this LIVEDEFLECT_RECORD directory instead of generating data (replay.ts). */
  replayDir?: string;
  /** Keep only the newest N requests in the log, so a long-running embedded simulator doesn't grow. Default: all. */
  requestLogLimit?: number;
}

export interface Config {
  seed: string;
  host: string;
  port: number;
  now: () => number;
  callsPerHour: CallsPerHour | undefined;
  maxWindowMs: number;
  credentials: Credentials | undefined;
  precompute: boolean;
  replayDir: string | undefined;
  requestLogLimit: number;
}

function invalidOption(name: string, contract: string, received: unknown): TypeError {
  return new TypeError(
    `startSimulator: ${name} must be ${contract}, but got ${typeof received === 'function' ? 'a function' : JSON.stringify(received)}`,
  );
}

function getValidCredentials(credentials: unknown): Credentials | undefined {
  if (credentials === undefined) return undefined;
  const contract = 'an object mapping Authorization values to site id lists or "*"';
  if (typeof credentials !== 'object' || credentials === null) throw invalidOption('credentials', contract, credentials);
  for (const sites of Object.values(credentials)) {
    if (sites !== '*' && !(Array.isArray(sites) && sites.every((site) => typeof site === 'string'))) {
      throw invalidOption('credentials', contract, sites);
    }
  }
  return credentials as Credentials;
}

export function getValidConfig(options: SimulatorOptions): Config {
  const { seed = 'livedeflect', host = '127.0.0.1', port = 0, now = Date.now, callsPerHour, maxWindowMs = Infinity } = options;
  if (typeof seed !== 'string') throw invalidOption('seed', 'a string', seed);
  if (typeof host !== 'string' || host === '') throw invalidOption('host', 'a host name or address', host);
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw invalidOption('port', 'an integer in 0..65535', port);
  if (typeof now !== 'function') throw invalidOption('now', 'a function returning epoch ms', now);
  if (callsPerHour !== undefined && typeof callsPerHour !== 'function' && !(callsPerHour >= 0 && callsPerHour <= MAX_CALLS_PER_HOUR)) {
    throw invalidOption('callsPerHour', `a number in [0, ${MAX_CALLS_PER_HOUR}] or a function (siteId, hourStart) => number`, callsPerHour);
  }
  if (!(maxWindowMs > 0)) throw invalidOption('maxWindowMs', 'a positive number of milliseconds', maxWindowMs);
  const credentials = getValidCredentials(options.credentials);
  const { replayDir } = options;
  if (replayDir !== undefined && (typeof replayDir !== 'string' || replayDir === '')) throw invalidOption('replayDir', 'a directory path', replayDir);
  const precompute = options.precompute === true;
  const { requestLogLimit = Infinity } = options;
  if (!(requestLogLimit >= 0)) throw invalidOption('requestLogLimit', 'a number of requests >= 0', requestLogLimit);
  return { seed, host, port, now, callsPerHour, maxWindowMs, credentials, precompute, replayDir, requestLogLimit };
}
