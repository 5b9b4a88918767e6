import { Writable } from 'node:stream';
import type { LogLevel } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';

export interface CapturedLog {
  /** Pass as `logger` to startStack. */
  readonly logger: Logger;
  /** Everything written so far, as the JSON lines pino wrote. */
  text(): string;
  records(): Record<string, unknown>[];
}

/** A real pino logger writing into memory, so a test can read what the gateway logged. */
export function captureLog(level: LogLevel = 'trace', mixin?: () => Record<string, string>): CapturedLog {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const text = () => chunks.join('');
  return {
    logger: createLogger({ level, destination, ...(mixin ? { mixin } : {}) }),
    text,
    records: () =>
      text()
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
