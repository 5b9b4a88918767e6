import { Client, fetchExchange } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';

/** Where the page finds the gateway, and the credential it sends (passed through to LiveDeflect). */
export interface GatewaySettings {
  readonly endpoint: string;
  readonly authorization: string;
}

/**
 * urql with trusted documents: each operation goes out as its manifest hash alone (the hash the client
 * preset embedded in the document as __meta__.hash), never as text, in a POST with
 * `content-type: application/json`: a GET would need a CSRF header the gateway asks of GETs.
 */
export function createGatewayClient(settings: GatewaySettings): Client {
  return new Client({
    url: settings.endpoint,
    preferGetMethod: false,
    requestPolicy: 'network-only',
    fetchOptions: () => ({ headers: { authorization: settings.authorization } }),
    exchanges: [
      persistedExchange({
        enforcePersistedQueries: true,
        preferGetForPersistedQueries: false,
        generateHash: async (_text, document) => {
          const hash = (document as { __meta__?: { hash?: unknown } }).__meta__?.hash;
          if (typeof hash !== 'string') throw new Error('This document has no hash: run npm run codegen:example');
          return hash;
        },
      }),
      fetchExchange,
    ],
  });
}
