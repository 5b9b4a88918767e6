import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One message a subgraph posted to a callback URL (Apollo's HTTP callback protocol, callback/1.0). */
interface CallbackMessage {
  readonly kind: string;
  readonly action: 'check' | 'next' | 'complete';
  readonly id: string;
  readonly verifier: string;
  readonly payload?: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  readonly errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** A subscription as the router side sees it: what arrived at its URL, and what the router answers. */
export interface CallbackSubscription {
  readonly id: string;
  readonly verifier: string;
  readonly callbackUrl: string;
  readonly messages: CallbackMessage[];
  /** The status the router answers this subscription's callbacks with (204; 404 tells the subgraph it is gone). */
  status: number;
  /** The status for a `complete`, when it should differ (a router that refuses it). */
  completeStatus: number | null;
  /** The `next` payloads, in order. */
  nexts(): NonNullable<CallbackMessage['payload']>[];
  completed(): CallbackMessage | undefined;
}

/**
 * The router's half of the callback protocol on loopback, answering as Apollo Router's callback handler does: a
 * callback endpoint under `/callback/<subscription id>` that answers 401 for a wrong verifier, 404 for a
 * subscription it does not know or that has completed, and records each message it accepts.
 */
export interface CallbackRouter {
  /** The prefix to configure as LIVE_CALLBACK_URLS. */
  readonly baseUrl: string;
  /** Every request that reached the endpoint, known subscription or not. */
  readonly requests: number;
  open(): CallbackSubscription;
  /** The body a router sends the subgraph for a subscription, extensions included. */
  body(subscription: CallbackSubscription, query: string, variables: Record<string, unknown>, heartbeatIntervalMs?: number): string;
  close(): Promise<void>;
}

export async function startCallbackRouter(): Promise<CallbackRouter> {
  const subscriptions = new Map<string, CallbackSubscription>();
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const id = /^\/callback\/([^/]+)$/.exec(req.url ?? '')?.[1];
      const subscription = id ? subscriptions.get(id) : undefined;
      let message: CallbackMessage | null = null;
      try {
        message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as CallbackMessage;
      } catch {
        // answered 400 below
      }
      if (!message || !subscription) return void res.writeHead(message ? 404 : 400).end();
      if (message.verifier !== subscription.verifier) return void res.writeHead(401).end();
      if (message.id !== subscription.id || subscription.completed()) return void res.writeHead(404).end();
      subscription.messages.push(message);
      res.writeHead(message.action === 'complete' ? (subscription.completeStatus ?? subscription.status) : subscription.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  return {
    baseUrl,
    get requests() {
      return requests;
    },
    open() {
      const id = randomUUID();
      const messages: CallbackMessage[] = [];
      const subscription: CallbackSubscription = {
        id,
        verifier: randomUUID(),
        callbackUrl: `${baseUrl}/${id}`,
        messages,
        status: 204,
        completeStatus: null,
        nexts: () => messages.filter((message) => message.action === 'next').map((message) => message.payload ?? {}),
        completed: () => messages.find((message) => message.action === 'complete'),
      };
      subscriptions.set(id, subscription);
      return subscription;
    },
    body(subscription, query, variables, heartbeatIntervalMs = 0) {
      const { callbackUrl, id: subscriptionId, verifier } = subscription;
      return JSON.stringify({ query, variables, extensions: { subscription: { callbackUrl, subscriptionId, verifier, heartbeatIntervalMs } } });
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
