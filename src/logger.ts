import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

/**
 * Paths pino blanks in every record: credentials and personal data must never reach a log, even when
 * someone logs a whole request or call object by mistake.
 */
const REDACT_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
  'customerPhoneNumber',
  '*.customerPhoneNumber',
  'dialedPhoneNumber',
  '*.dialedPhoneNumber',
  'callerInfo',
  '*.callerInfo',
  'callerInfoRaw',
  '*.callerInfoRaw',
  'variables',
  '*.variables',
];

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Pretty output for a person at a terminal; JSON lines otherwise (log shippers read those). */
  readonly pretty?: boolean;
  /** Where JSON lines go; tests pass a stream to read the log. */
  readonly destination?: NodeJS.WritableStream;
  /** Fields added to every line (tracing's trace_id and span_id); absent when tracing is off, so a line costs nothing more. */
  readonly mixin?: () => Record<string, string>;
}

export function createLogger(options: LoggerOptions): Logger {
  const base = {
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: undefined,
    ...(options.mixin ? { mixin: options.mixin } : {}),
  };
  if (options.destination) return pino(base, options.destination as pino.DestinationStream);
  if (options.pretty) return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true } } });
  return pino(base);
}
