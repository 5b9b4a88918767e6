import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import Negotiator from 'negotiator';
import { loadAssets, type StaticAsset } from './assets.js';
import { MANIFEST_FILE, readManifestSync } from './manifest.js';
import { PAGE_CONTENT_SECURITY_POLICY, renderPage } from './page.js';

export interface GraphiQLHandlerOptions {
  /** Path of the GraphQL endpoint, e.g. `/graphql`. The page is served there, its assets below it. */
  readonly graphqlPath: string;
  /** Directory written by `buildGraphiQL` (`npm run build`); see `defaultAssetsDir`. */
  readonly assetsDir: string;
  /** Operation of the tab a new visitor sees; called for every page load, so it can use the time. */
  readonly defaultQuery: () => string;
  /** Variables (JSON text) for that tab. */
  readonly defaultVariables?: () => string;
  /** Contents of the request headers editor (JSON text), e.g. `'{"Authorization": ""}'` as a hint. */
  readonly defaultHeaders?: string;
  /** Title of the browser tab; defaults to `GraphiQL`. */
  readonly title?: string;
}

/**
 * Returns true when the request was the GraphiQL page or one of its assets and has been answered;
 * false leaves the request untouched for the caller (GraphQL over GET included).
 */
export type GraphiQLHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/**
 * Serves an offline GraphiQL: the page at `GET {graphqlPath}` to clients that prefer HTML, and its
 * bundle under `{graphqlPath}/graphiql/`, all from this origin and from memory.
 */
export function createGraphiQLHandler(options: GraphiQLHandlerOptions): GraphiQLHandler {
  const { graphqlPath, assetsDir, defaultQuery, defaultVariables, defaultHeaders } = getValidOptions(options);
  const title = options.title ?? 'GraphiQL';
  const manifest = readManifestSync(assetsDir);
  const assets = loadAssets(assetsDir);
  const assetsPath = `${graphqlPath}/graphiql/`;

  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = new URL(req.url ?? '/', 'http://localhost');

    if (url.pathname === graphqlPath) {
      // `query` (or a persisted query's `extensions`) makes it a GraphQL request even from a browser.
      if (!prefersPage(req) || url.searchParams.has('query') || url.searchParams.has('extensions')) {
        return false;
      }
      const page = renderPage({
        title,
        assetsPath,
        manifest,
        config: { graphqlPath, query: defaultQuery(), variables: defaultVariables?.(), headers: defaultHeaders },
      });
      sendPage(req, res, page);
      return true;
    }

    if (url.pathname.startsWith(assetsPath)) {
      const asset = assets.get(url.pathname.slice(assetsPath.length));
      if (asset === undefined) sendNotFound(res);
      else sendAsset(req, res, asset);
      return true;
    }
    return false;
  };
}

// Private: options are checked once, here, so a wiring mistake fails at start with the contract in
// the message rather than at the first browser visit.
function getValidOptions(options: GraphiQLHandlerOptions): GraphiQLHandlerOptions {
  const { graphqlPath, assetsDir, defaultQuery, defaultVariables } = options;
  if (typeof graphqlPath !== 'string' || !graphqlPath.startsWith('/') || graphqlPath.endsWith('/')) {
    throw new TypeError(
      `createGraphiQLHandler: graphqlPath must be an absolute path without a trailing slash, such as "/graphql"; got ${JSON.stringify(graphqlPath)}`,
    );
  }
  if (typeof defaultQuery !== 'function' || (defaultVariables !== undefined && typeof defaultVariables !== 'function')) {
    throw new TypeError('createGraphiQLHandler: defaultQuery (and defaultVariables, if given) must be functions returning text');
  }
  if (!existsSync(join(assetsDir, MANIFEST_FILE))) {
    throw new Error(`createGraphiQLHandler: no GraphiQL bundle in ${assetsDir} (${MANIFEST_FILE} is missing). Run \`npm run build\` to create it.`);
  }
  return options;
}

function sendPage(req: IncomingMessage, res: ServerResponse, page: string): void {
  const body = Buffer.from(page);
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': body.length,
    // Built per request: the default query holds dates relative to now.
    'cache-control': 'no-store',
    // The same URL answers GraphQL requests with JSON, so a cache must key on Accept.
    vary: 'Accept',
    'content-security-policy': PAGE_CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sendAsset(req: IncomingMessage, res: ServerResponse, asset: StaticAsset): void {
  const gzipped = new Negotiator(req).encoding(['gzip']) === 'gzip' ? asset.gzipped : undefined;
  const body = gzipped ?? asset.body;
  res.writeHead(200, {
    'content-type': asset.contentType,
    'content-length': body.length,
    ...(gzipped !== undefined ? { 'content-encoding': 'gzip' } : {}),
    ...(asset.gzipped !== undefined ? { vary: 'Accept-Encoding' } : {}),
    // Every asset name carries a hash of its content, so a given URL never changes.
    'cache-control': 'public, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sendNotFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end('Not found\n');
}

/**
 * Whether the client would rather have the page than a GraphQL response. Browsers list `text/html` and
 * reach JSON only through a wildcard; GraphQL clients ask for JSON. The response types come first, so a
 * tie (curl's bare wildcard, or no Accept at all) is a GraphQL request, not a page.
 */
function prefersPage(req: IncomingMessage): boolean {
  return new Negotiator(req).mediaType(['application/graphql-response+json', 'application/json', 'text/html']) === 'text/html';
}
