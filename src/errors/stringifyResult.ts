import type { FormattedExecutionResult } from 'graphql';
import type { Logger } from '../logger.js';
import { ErrorCode } from '../model/errorCodes.js';

/**
 * Apollo's stringifyResult: JSON.stringify, as Apollo's own, except that a result that can't be written
 * (a value nested deeper than the stack, a cycle) answers one coded error and is logged, where Apollo
 * would answer a 500 nobody logged. Any data is lost then: a half-written answer can't be parsed.
 */
export function createResultStringifier(logger: Logger): (value: FormattedExecutionResult) => string {
  return (value) => {
    try {
      return `${JSON.stringify(value)}\n`;
    } catch (error) {
      // The error's class and message are the engine's own (RangeError: Maximum call stack size exceeded), never the data's.
      logger.error({ err: { name: (error as Error).name, message: (error as Error).message } }, 'an answer could not be written as JSON');
      const message =
        'The answer could not be written: it holds a value too deeply nested. Select fewer fields, or report it to the gateway operator';
      return `${JSON.stringify({ errors: [{ message, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }] })}\n`;
    }
  };
}
