import { MAX_CALL_DURATION_MS } from '../../src/simulator/index.js';

/** A fixed past UTC day whose calls are all complete, so simulator data is the same on every run. */
export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
export const TEST_DAY = Date.UTC(2026, 9, 14);
export const TEST_NOW = TEST_DAY + 9 * DAY_MS + MAX_CALL_DURATION_MS;
export const iso = (time: number): string => new Date(time).toISOString();
