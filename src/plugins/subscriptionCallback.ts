import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import {
  ApolloServerPluginSubscriptionCallback,
  type ApolloServerPluginSubscriptionCallbackOptions,
} from '@apollo/server/plugin/subscriptionCallback';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { ErrorFormatter } from '../errors/formatError.js';
import { createCallbackFetcher } from './callbackFetcher.js';
import type { Logger } from '../logger.js';
import { ErrorCode } from '../model/errorCodes.js';
import { isJsonObject } from '../wire/json.js';

export interface SubscriptionCallbackOptions {
  /** LIVE_CALLBACK_URLS: the URL prefixes a callback may go to; none turns the protocol off. */
  readonly allowedUrls: readonly string[];
  readonly logger: Logger;
  /** How errors reach clients: as over HTTP (formatError.ts). */
  readonly formatError: ErrorFormatter;
}

/**
 * The router's heartbeat may be off (0) or between these: a shorter one would have us post checks in a loop, and
 * so would a longer one than a timer can hold (Node runs a delay past 2^31 ms as 1 ms).
 */
const MIN_HEARTBEAT_MS = 1_000;
const MAX_HEARTBEAT_MS = 10 * 60_000;

/** True when a request asks for its subscription over the HTTP callback protocol (a router's `extensions.subscription`). */
export function isCallbackSubscription(body: unknown): boolean {
  return isJsonObject(body) && isJsonObject(body.extensions) && body.extensions.subscription !== undefined;
}

/**
 * Apollo Router's HTTP callback protocol for `Subscription.callUpdates`: the router posts the subscription with
 * a callback URL, we answer `{data: null}`, then post `check`, each update as `next`, heartbeats and a final
 * `complete` to that URL. Apollo's own plugin speaks the protocol; this one stands in front of it:
 * - it refuses what Apollo's would take on trust (a URL outside LIVE_CALLBACK_URLS, a malformed extension, a
 *   query sent as a subscription), before anything is polled or posted;
 * - it gives each subscription its own instance of Apollo's plugin, which keys its state by callback URL: a
 *   second subscription naming a URL in use would otherwise replace the first's heartbeat and leak its timer;
 * - its fetcher (callbackFetcher.ts) formats the errors it posts, and reads the router's answers where Apollo's
 *   plugin misreads them.
 */
export function createSubscriptionCallbackPlugin(options: SubscriptionCallbackOptions): ApolloServerPlugin<GatewayContext> {
  const inFlight = new Set<Promise<unknown>>();
  const logger = apolloLogger(options.logger);
  return {
    async requestDidStart(started) {
      const extension: unknown = started.request.extensions?.subscription;
      if (extension === undefined) return plainHttpRefusal;
      // A batch shares one request's context (app.ts gives a callback its subscription context only when alone).
      const refusal = started.requestIsBatched
        ? 'A subscription callback must be a request of its own, not part of a batch'
        : extensionRefusal(extension, options.allowedUrls);
      if (refusal) return refuse(refusal);
      // Built per subscription: see above.
      const fetcher = createCallbackFetcher({
        inFlight,
        formatError: options.formatError,
        logger: options.logger,
        requestId: started.contextValue.requestId,
      });
      const apollo = ApolloServerPluginSubscriptionCallback({ fetcher, logger, retry: { retries: 2 } }) as ApolloServerPlugin<GatewayContext>;
      const inner = await apollo.requestDidStart?.(started);
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'subscription') {
            throw callbackError(
              `extensions.subscription asks for a subscription callback, but the operation is a ${operation?.operation ?? 'document without one'}: send it without the extension`,
            );
          }
        },
        // Reached only when parsing, validation and every plugin's checks (the request limits) passed. Apollo's
        // plugin checks the URL and starts the subscription as the answer is sent; run here, with the answer,
        // so every other plugin (the log, the metrics) sees how that went.
        async responseForOperation(context) {
          const response = await inner?.responseForOperation?.(context);
          if (!response) return null;
          await inner?.willSendResponse?.({ ...context, response } as Parameters<NonNullable<typeof inner.willSendResponse>>[0]);
          // Apollo answers a failed check with its own error, without a code: the router gets one it can act on.
          if (response.body.kind === 'single' && response.body.singleResult.errors?.length) {
            const reason = response.body.singleResult.errors.map((error) => error.message).join('; ');
            // A plugin's answer is sent as it is: the error is written in its final shape.
            response.body.singleResult.errors = [
              new GraphQLError(`The check of extensions.subscription.callbackUrl failed (${reason}): the router must answer it with a 2xx status`, {
                extensions: { code: ErrorCode.BAD_REQUEST },
              }),
            ];
            response.http.status = 400;
          }
          return response;
        },
      };
    },
    async serverWillStart() {
      return {
        // The live hub, closed first (gateway.ts), has ended every subscription, so each has begun posting its
        // complete: the callbacks under way now are waited for (one between Apollo's retries is not).
        async drainServer() {
          await Promise.allSettled([...inFlight]);
        },
      };
    },
  };
}

/**
 * A subscription over plain HTTP, without the callback extension: Apollo would execute it as a query, running
 * the stream's per-update resolver with no update (an internal error). Its client is told where to subscribe.
 */
const plainHttpRefusal: GraphQLRequestListener<GatewayContext> = {
  async didResolveOperation({ operation }) {
    if (operation?.operation !== 'subscription') return;
    throw callbackError(
      'A subscription is served over a WebSocket (the graphql-ws protocol) on this same URL, or to a router over the HTTP callback protocol (extensions.subscription), not as a plain HTTP request',
    );
  },
};

function refuse(message: string): GraphQLRequestListener<GatewayContext> {
  return {
    // Thrown here, the refusal is answered as it is (400 with its code); earlier, Apollo would answer it as a 500.
    async didResolveOperation() {
      throw callbackError(message);
    },
  };
}

function callbackError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_REQUEST, http: { status: 400 } } });
}

/** Why a router's `extensions.subscription` can't be served; null when it can. */
function extensionRefusal(extension: unknown, allowedUrls: readonly string[]): string | null {
  if (!isJsonObject(extension)) return 'extensions.subscription must be an object with callbackUrl, subscriptionId and verifier';
  const callbackUrl = extension.callbackUrl ?? extension.callback_url;
  const id = extension.subscriptionId ?? extension.subscription_id;
  const heartbeat = extension.heartbeatIntervalMs ?? extension.heartbeat_interval_ms;
  if (typeof callbackUrl !== 'string' || typeof id !== 'string' || id === '' || typeof extension.verifier !== 'string') {
    return 'extensions.subscription must name callbackUrl, subscriptionId and verifier as strings';
  }
  if (
    heartbeat !== undefined &&
    !(
      heartbeat === 0 ||
      (typeof heartbeat === 'number' && Number.isInteger(heartbeat) && heartbeat >= MIN_HEARTBEAT_MS && heartbeat <= MAX_HEARTBEAT_MS)
    )
  ) {
    return `extensions.subscription.heartbeatIntervalMs must be 0 (none) or a whole number of milliseconds from ${MIN_HEARTBEAT_MS} to ${MAX_HEARTBEAT_MS}`;
  }
  if (allowedUrls.length === 0) {
    return "Subscription callbacks are off on this gateway: set LIVE_CALLBACK_URLS to the router's callback URL, or subscribe over WebSocket";
  }
  if (!allowedUrls.some((prefix) => isUnder(callbackUrl, prefix))) {
    return 'extensions.subscription.callbackUrl is not under any of LIVE_CALLBACK_URLS: the gateway sends callbacks only to the routers it is configured for';
  }
  return null;
}

/** Whether a URL is the prefix or below it: same origin, and the path continues the prefix's at a `/`. */
function isUnder(url: string, prefix: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const base = new URL(prefix);
  if (parsed.origin !== base.origin || parsed.username || parsed.password) return false;
  const path = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  return parsed.pathname === base.pathname || parsed.pathname.startsWith(path);
}

/** Apollo's plugin logs each callback at debug; its warnings and errors are the ones an operator acts on. */
function apolloLogger(logger: Logger): ApolloServerPluginSubscriptionCallbackOptions['logger'] {
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (message: string) => logger.warn({ component: 'subscription-callback' }, message),
    error: (message: string) => logger.error({ component: 'subscription-callback' }, message),
  };
}
