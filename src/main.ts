import { setTimeout as setTimeoutPromise } from 'node:timers/promises';
import { ConfigError, loadConfig, type Config } from './config.js';
import { resolveUpstream } from './embeddedUpstream.js';
import { startGateway } from './gateway.js';
import { createLogger } from './logger.js';

/** `npm start`: read config, start the upstream if none is configured, serve, stop gracefully. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`livedeflect-graphql: configuration error: ${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger({ level: config.logLevel, pretty: process.stdout.isTTY === true && !config.production });
  const upstream = await resolveUpstream(config);
  const gateway = await startGateway({ config, logger, upstreamUrl: upstream.url, upstreamAuthorization: upstream.authorization }).catch(
    (error: unknown) => {
      // What only the gateway can check, such as the PERSISTED_DOCUMENTS manifest against the schema.
      if (error instanceof ConfigError) {
        process.stderr.write(`livedeflect-graphql: configuration error: ${error.message}\n`);
        process.exit(1);
      }
      if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
      process.stderr.write(`livedeflect-graphql: port ${config.port} on ${config.host} is in use: stop the other server or set PORT\n`);
      process.exit(1);
    },
  );
  logger.info(
    { url: `${gateway.url}/graphql`, upstream: upstream.simulator ? 'embedded simulator' : new URL(upstream.url).origin },
    `GraphQL ready at ${gateway.url}/graphql`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    // Not ready at once, still serving for SHUTDOWN_DELAY: a load balancer sees /readyz fail and stops
    // sending before the listener closes, so no request it already sent meets a closed port. SIGINT is a
    // person at a terminal, with no load balancer to wait for.
    const delayMs = signal === 'SIGTERM' ? config.shutdownDelayMs : 0;
    gateway.beginShutdown();
    logger.info({ signal, delayMs }, 'shutting down: /readyz answers 503; serving for SHUTDOWN_DELAY');
    setTimeoutPromise(delayMs)
      .then(() => gateway.close())
      .then(() => upstream.simulator?.close())
      .then(
        () => {
          logger.info('stopped');
          logger.flush();
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

await main();
