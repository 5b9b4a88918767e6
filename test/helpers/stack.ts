import { loadConfig, type Config } from '../../src/config.js';
import { startGateway, type Gateway, type GatewayOptions } from '../../src/gateway.js';
import type { RouteHandler } from '../../src/http/app.js';
import { createLogger, type Logger } from '../../src/logger.js';
import type { Telemetry } from '../../src/tracing/telemetry.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/server.js';

export interface StackOptions {
  /** Environment for loadConfig, on top of the test defaults (loopback, free port, quiet log). */
  readonly env?: Record<string, string>;
  readonly simulator?: SimulatorOptions;
  /** The gateway's static credential; null passes the client's Authorization header through. Default "Bearer test". */
  readonly staticAuthorization?: string | null;
  readonly logger?: Logger;
  readonly routes?: readonly RouteHandler[];
  /** Traces (startTracing with an in-memory exporter); default off. */
  readonly telemetry?: Telemetry;
  /** The upstream client's clock and retry wait: see test/helpers/fakeClock.ts. */
  readonly upstreamClock?: GatewayOptions['upstreamClock'];
}

export interface GraphQLAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
    extensions?: Record<string, unknown>;
  };
}

export interface Stack {
  readonly gatewayUrl: string;
  readonly gateway: Gateway;
  readonly simulator: Simulator;
  readonly config: Config;
  query(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLAnswer>;
  close(): Promise<void>;
}

export const TEST_TOKEN = 'Bearer test';

/** The extensions.code of each error of an answer, in order. */
export function errorCodes(answer: GraphQLAnswer): unknown[] {
  return (answer.body.errors ?? []).map((error) => error.extensions?.code);
}

/** A real simulator and a real gateway talking HTTP on loopback: what every integration test runs against. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const staticAuthorization = options.staticAuthorization === undefined ? TEST_TOKEN : options.staticAuthorization;
  const simulator = await startSimulator({ callsPerHour: 12, ...options.simulator });
  // Every query runs compiled from its first execution, so each test also checks graphql-jit against its expectations.
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    COMPILED_EXECUTION: 'always',
    LIVEDEFLECT_URL: simulator.url,
    ...options.env,
  });
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const gateway = await startGateway({
    config,
    logger,
    upstreamUrl: config.upstreamUrl ?? simulator.url,
    upstreamAuthorization: staticAuthorization,
    routes: options.routes ?? [],
    ...(options.telemetry ? { telemetry: options.telemetry } : {}),
    ...(options.upstreamClock ? { upstreamClock: options.upstreamClock } : {}),
  });
  const gatewayUrl = gateway.url;
  return {
    gatewayUrl,
    gateway,
    simulator,
    config,
    async query(query, variables, headers) {
      const response = await fetch(`${gatewayUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLAnswer['body'] };
    },
    async close() {
      await gateway.close();
      await simulator.close();
    },
  };
}
