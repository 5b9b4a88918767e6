import type { ApolloServerPluginSubscriptionCallbackOptions } from '@apollo/server/plugin/subscriptionCallback';
import type { GraphQLFormattedError } from 'graphql';
import type { ErrorFormatter } from '../errors/formatError.js';
import type { Logger } from '../logger.js';
import { ErrorCode } from '../model/errorCodes.js';
import { isJsonObject } from '../wire/json.js';

type Fetcher = NonNullable<ApolloServerPluginSubscriptionCallbackOptions['fetcher']>;

export interface CallbackFetcherOptions {
  /** Requests under way, across subscriptions: a stopping server waits for them. */
  readonly inFlight: Set<Promise<unknown>>;
  readonly formatError: ErrorFormatter;
  readonly logger: Logger;
  /** The subscription's request id, for the log. */
  readonly requestId: string;
}

/**
 * A router answers a callback at once: one that hangs must not hold the subscription's updates, and a failed
 * first check (three tries, see subscriptionCallback.ts) must be answered within a router's 30 s subgraph timeout.
 */
const CALLBACK_REQUEST_TIMEOUT_MS = 5_000;

/**
 * What one subscription's instance of Apollo's callback plugin posts with, and how it reads the router's answers:
 * - every error posted is formatted as on every other path (Apollo serializes errors as graphql-js does, which
 *   would carry an unexpected error's own message), and an unexpected one is logged under the request id;
 * - no redirect is followed (it could point anywhere), and each request is bounded in time;
 * - a 404 to the first `check` (the router no longer knows the subscription) fails the check: Apollo would take
 *   it as a pass and start a subscription nobody receives;
 * - `complete` never fails: Apollo does not await it when a subscription is refused, so a rejection would be
 *   unhandled. Once it is sent, or the router has said the subscription is gone, every later callback is
 *   answered "gone" here without a request, which stops Apollo's heartbeat for it.
 */
export function createCallbackFetcher(options: CallbackFetcherOptions): Fetcher {
  let checked = false;
  let over = false;
  return async (url, init) => {
    // Apollo's plugin posts JSON text, always.
    if (typeof init?.body !== 'string') throw new TypeError('a subscription callback carries a JSON body');
    const message = JSON.parse(init.body) as Record<string, unknown>;
    if (over) return answer(404);
    const action = message.action;
    let response: Response;
    try {
      response = await post(url, init.method ?? 'POST', init.headers, formattedMessage(message, options), options.inFlight);
    } catch (error) {
      if (action !== 'complete') throw error;
      over = true;
      options.logger.warn({ requestId: options.requestId, err: error }, 'subscription callback: the complete did not reach the router');
      return answer(404);
    }
    if (action === 'check' && !checked) {
      if (response.status === 404) return answer(400);
      checked = response.ok;
    }
    if (action === 'complete' || response.status === 404 || response.status === 400) over = true;
    if (action === 'complete' && !response.ok) {
      options.logger.warn({ requestId: options.requestId, status: response.status }, 'subscription callback: the router refused the complete');
      return answer(404);
    }
    return response;
  };
}

async function post(
  url: string,
  method: string,
  headers: Record<string, string> | undefined,
  body: string,
  inFlight: Set<Promise<unknown>>,
): Promise<Response> {
  const request = fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(CALLBACK_REQUEST_TIMEOUT_MS) });
  inFlight.add(request);
  try {
    const response = await request;
    // Apollo reads only the status; the router's body is not ours to hold.
    await response.body?.cancel();
    return response;
  } finally {
    inFlight.delete(request);
  }
}

/** An answer made here, not by the router: Apollo reads only its status. */
function answer(status: number): Response {
  return new Response(null, { status });
}

function formattedMessage(message: Record<string, unknown>, options: CallbackFetcherOptions): string {
  const payload = message.payload;
  if (isJsonObject(payload) && Array.isArray(payload.errors)) payload.errors = formattedErrors(payload.errors, options);
  if (Array.isArray(message.errors)) message.errors = formattedErrors(message.errors, options);
  return JSON.stringify(message);
}

function formattedErrors(errors: readonly unknown[], options: CallbackFetcherOptions): GraphQLFormattedError[] {
  return errors.map((error) => {
    const given = (isJsonObject(error) ? error : { message: '' }) as unknown as GraphQLFormattedError;
    const formatted = options.formatError(given, given);
    if (formatted.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR) {
      // The errorLog plugin never sees a callback's errors: Apollo's plugin executes them outside the request.
      options.logger.error(
        { requestId: options.requestId, err: { message: given.message, path: given.path } },
        'subscription update failed unexpectedly',
      );
    }
    return formatted;
  });
}
