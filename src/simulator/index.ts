// The simulator's public surface: the HTTP server, and the generator for tests that want the expected
// data without a round trip.
export { LIVEDEFLECT_PATH } from '../wire/livedeflect.js';
export { startSimulator } from './server.js';
export type { Credentials, Fault, Simulator, SimulatorOptions, SimulatorRequest } from './server.js';
export { generateHour, generateWindow } from './generator.js';
export type { CallsPerHour, HourOptions, WindowOptions, WireEvent } from './generator.js';
export { defaultCallsPerHour } from './callRate.js';
export { MAX_CALL_DURATION_MS } from './funnel.js';
