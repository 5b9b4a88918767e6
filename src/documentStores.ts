import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import type { DocumentNode } from 'graphql';

/**
 * Measured with graphql 16: a parsed document keeps about four times the bytes of its JSON form (the
 * lexer's token list stays reachable from every node's `loc`), on top of its source text.
 */
const DOCUMENT_BYTES_PER_JSON_BYTE = 4;

/**
 * Apollo's parsed-and-validated documents, bounded by the bytes they hold. Apollo's default store sizes
 * an entry by JSON.stringify(document), which leaves out `loc.source`: a short document with a long
 * comment was counted as small and kept its whole text, so distinct documents grew memory for good.
 * Here an entry costs its source text plus what its nodes and tokens take.
 */
export function createDocumentStore(maxBytes: number): InMemoryLRUCache<DocumentNode> {
  return new InMemoryLRUCache<DocumentNode>({
    maxSize: maxBytes,
    sizeCalculation: (document) =>
      Math.max(1, sourceBytes(document) + DOCUMENT_BYTES_PER_JSON_BYTE * Buffer.byteLength(JSON.stringify(document), 'utf8')),
  });
}

/** Automatic persisted queries: hash -> query text, bounded by the bytes of the texts (Apollo's default counts characters). */
export function createPersistedQueryCache(maxBytes: number): InMemoryLRUCache<string> {
  return new InMemoryLRUCache<string>({ maxSize: maxBytes, sizeCalculation: (text) => Math.max(1, Buffer.byteLength(text, 'utf8')) });
}

function sourceBytes(document: DocumentNode): number {
  const body = document.loc?.source.body;
  return body === undefined ? 0 : Buffer.byteLength(body, 'utf8');
}
