import type { FormattedExecutionResult } from 'graphql';
import type { Logger } from '../logger.js';
import { ErrorCode } from '../model/errorCodes.js';

/**
 * Answers' data already written as JSON (the response cache's stored answers, src/plugins/responseCache.ts),
 * by the data object Apollo hands back: the stringifier writes those data from their JSON, not again.
 */
export type SerializedAnswers = WeakMap<object, string>;

/**
 * Apollo's stringifyResult: JSON.stringify, as Apollo's own, except that a result that can't be written
 * (a value nested deeper than the stack, a cycle) answers one coded error and is logged, where Apollo
 * would answer a 500 nobody logged. Any data is lost then: a half-written answer can't be parsed.
 * Data found in `serialized` is written from its JSON there, byte for byte what JSON.stringify gives.
 */
export function createResultStringifier(logger: Logger, serialized: SerializedAnswers): (value: FormattedExecutionResult) => string {
  return (value) => {
    try {
      const data = value.data ? serialized.get(value.data) : undefined;
      return `${data === undefined ? JSON.stringify(value) : withData(value, data)}\n`;
    } catch (error) {
      // The error's class and message are the engine's own (RangeError: Maximum call stack size exceeded), never the data's.
      logger.error({ err: { name: (error as Error).name, message: (error as Error).message } }, 'an answer could not be written as JSON');
      const message =
        'The answer could not be written: it holds a value too deeply nested. Select fewer fields, or report it to the gateway operator';
      return `${JSON.stringify({ errors: [{ message, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }] })}\n`;
    }
  };
}

/** JSON.stringify(value) with `data` already written: the other members in the order Apollo gives them. */
function withData(value: FormattedExecutionResult, data: string): string {
  const members = Object.entries(value)
    .filter(([, member]) => member !== undefined)
    .map(([name, member]) => `${JSON.stringify(name)}:${name === 'data' ? data : JSON.stringify(member)}`);
  return `{${members.join(',')}}`;
}
