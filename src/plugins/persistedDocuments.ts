import type { ApolloServerPlugin, GraphQLRequest } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../context.js';
import { ErrorCode } from '../model/errorCodes.js';
import { isJsonObject } from '../wire/json.js';
import type { PersistedDocuments } from '../persistedDocuments.js';

/** The id of the trusted document each request ran, for the plugins that report it (limits, metrics, log). */
const documentIds = new WeakMap<GraphQLRequest, string>();

/** The manifest id of the document this request runs; null for free-form query text. */
export function persistedDocumentIdOf(request: GraphQLRequest): string | null {
  return documentIds.get(request) ?? null;
}

/** A request refused before it is parsed: HTTP 400 with its code. */
class PersistedDocumentError extends GraphQLError {
  constructor(code: ErrorCode, message: string) {
    super(message, { extensions: { code, http: { status: 400 } } });
  }
}

/**
 * Trusted documents. A request names one by `documentId` (the GraphQL-over-HTTP draft: in a POST body,
 * or `?documentId=` on GET) or by Apollo's `extensions.persistedQuery.sha256Hash`; the manifest's text
 * then replaces it before Apollo reads the request, so parsing, validation and Apollo's document cache
 * work on it as on any query. An unknown `documentId` is PERSISTED_QUERY_NOT_IN_LIST. An unknown
 * persisted-query hash is left to Apollo's automatic persisted queries (the client registers it),
 * unless `only` is set: then it is not in the list, query text is PERSISTED_QUERY_ID_REQUIRED, and
 * server.ts turns APQ off, so nothing a client sends can become runnable.
 */
export function createPersistedDocumentsPlugin(documents: PersistedDocuments, only: boolean): ApolloServerPlugin<GatewayContext> {
  return {
    // Thrown before parsing, the refusal reaches Apollo as an unexpected error: rethrown here, Apollo
    // answers it as it is (400 with its code) rather than a 500.
    async unexpectedErrorProcessingRequest({ error }) {
      if (error instanceof PersistedDocumentError) throw error;
    },
    async requestDidStart({ request }) {
      const { documentId, persistedHash } = namedDocument(request);
      const id = documentId ?? persistedHash;
      if (id === undefined) {
        if (only && request.query !== undefined) {
          throw new PersistedDocumentError(
            ErrorCode.PERSISTED_QUERY_ID_REQUIRED,
            'This gateway runs only trusted documents: send the document\'s id as "documentId" (or extensions.persistedQuery.sha256Hash) instead of its text',
          );
        }
        return;
      }
      const text = documents.get(id);
      if (text === undefined) {
        if (documentId === undefined && !only) return;
        throw new PersistedDocumentError(
          ErrorCode.PERSISTED_QUERY_NOT_IN_LIST,
          'No trusted document has this id: deploy the manifest your app was built with (PERSISTED_DOCUMENTS)',
        );
      }
      if (request.query !== undefined && request.query !== text) {
        throw new PersistedDocumentError(ErrorCode.BAD_REQUEST, 'The request names a trusted document and sends other query text: send the id alone');
      }
      request.query = text;
      // Apollo would otherwise check the text against the id as a SHA-256 hash (a manifest id need not be one) and store it as APQ.
      if (request.extensions?.persistedQuery !== undefined) {
        const { persistedQuery: _named, ...rest } = request.extensions;
        request.extensions = rest;
      }
      documentIds.set(request, id);
    },
  };
}

/** The ids a request names a document by, each checked for its type (a client's mistake is BAD_REQUEST). */
function namedDocument(request: GraphQLRequest): { documentId?: string; persistedHash?: string } {
  const http = request.http;
  let documentId: unknown;
  if (http?.method === 'GET') {
    const values = new URLSearchParams(http.search).getAll('documentId');
    if (values.length > 1) throw new PersistedDocumentError(ErrorCode.BAD_REQUEST, 'The documentId search parameter may only be given once');
    documentId = values[0];
  } else if (isJsonObject(http?.body)) {
    documentId = http.body.documentId;
  }
  const persisted: unknown = request.extensions?.persistedQuery;
  const hash = isJsonObject(persisted) ? persisted.sha256Hash : undefined;
  const persistedHash = typeof hash === 'string' ? hash : undefined;
  if (documentId === undefined) return { persistedHash };
  if (typeof documentId !== 'string' || documentId === '') {
    throw new PersistedDocumentError(ErrorCode.BAD_REQUEST, '"documentId" must be the id of a trusted document, as a string');
  }
  return { documentId, persistedHash };
}
