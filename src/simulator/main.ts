// `npm run simulator`: the simulator on its own, for trying the gateway (or curl) against it.
// Configured by SIMULATOR_PORT (4010), SIMULATOR_HOST (127.0.0.1), SIMULATOR_SEED and
// SIMULATOR_MAX_WINDOW (ms, default unlimited).
import { HOUR_MS } from './callRate.js';
import { LIVEDEFLECT_PATH } from '../wire/livedeflect.js';
import { startSimulator, type SimulatorOptions } from './server.js';

const EXAMPLE_SITE = '25508804';

function integerFromEnv(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new Error(`${name} must be an integer in ${min}..${max}, but got "${text}"`);
  }
  return value;
}

function optionsFromEnv(env: NodeJS.ProcessEnv): SimulatorOptions {
  const { SIMULATOR_PORT = '4010', SIMULATOR_HOST = '127.0.0.1', SIMULATOR_SEED, SIMULATOR_MAX_WINDOW } = env;
  return {
    port: integerFromEnv('SIMULATOR_PORT', SIMULATOR_PORT, 0, 65535),
    host: SIMULATOR_HOST,
    ...(SIMULATOR_SEED !== undefined && { seed: SIMULATOR_SEED }),
    ...(SIMULATOR_MAX_WINDOW !== undefined && {
      maxWindowMs: integerFromEnv('SIMULATOR_MAX_WINDOW', SIMULATOR_MAX_WINDOW, 1, Number.MAX_SAFE_INTEGER),
    }),
  };
}

async function main(): Promise<void> {
  let options: SimulatorOptions;
  try {
    options = optionsFromEnv(process.env);
  } catch (error) {
    console.error(`simulator: ${(error as Error).message}`);
    process.exitCode = 1;
    return;
  }
  const simulator = await startSimulator(options);
  const lastHour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - HOUR_MS;
  const body = JSON.stringify({
    siteId: EXAMPLE_SITE,
    startTime: String(lastHour),
    endTime: String(lastHour + HOUR_MS),
  });
  console.log(`LiveDeflect simulator listening on ${simulator.url}`);
  console.log(`try: curl -s -X POST ${simulator.url}${LIVEDEFLECT_PATH} -H 'Content-Type: application/json' -d '${body}'`);

  const stop = (signal: NodeJS.Signals): void => {
    console.log(`simulator: ${signal}, closing`);
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();
