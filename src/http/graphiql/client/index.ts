// Browser entry of the GraphiQL page: bundled by ../build.ts with esbuild, type-checked by
// ./tsconfig.json, never emitted by tsc. `createElement` instead of JSX keeps it free of a JSX setting.
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import { createGraphiQLFetcher, getSelectedOperationName, type Fetcher } from '@graphiql/toolkit';
import { Kind, parse, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { installMonacoWorkers } from './monacoWorkers.js';
import { readPageConfig } from './readPageConfig.js';
import { PAGE_ROOT_ELEMENT_ID } from '../pageConfig.js';

const config = readPageConfig(document);
installMonacoWorkers(config.workers);

const toolkitFetcher = createGraphiQLFetcher({
  url: config.graphqlPath,
  // Subscriptions go over graphql-ws on the same path; the toolkit opens one socket per subscription and
  // sends the headers editor's contents as connectionParams, which is where the gateway reads Authorization.
  subscriptionUrl: `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${config.graphqlPath}`,
  // The gateway always answers with one JSON result (Apollo Server streams @defer/@stream only with
  // graphql 17), so the plain JSON fetcher is enough and no request asks for multipart/mixed.
  enableIncrementalDelivery: false,
});

/**
 * The toolkit sends a subscription over the socket only when the document and operation name it is handed say
 * so, and GraphiQL hands it those it worked out 100 ms after the last keystroke: a subscription run sooner went
 * over HTTP, where the gateway refuses it. They are worked out here from the query being sent, as GraphiQL
 * would (its own when the query is no document).
 */
const fetcher: Fetcher = (params, options) => {
  const document = parsedOrNull(params.query);
  if (!document) return toolkitFetcher(params, options);
  const operationName = getSelectedOperationName(operationsOf(options?.documentAST), params.operationName ?? undefined, operationsOf(document));
  return toolkitFetcher({ ...params, operationName: operationName ?? null }, { ...options, documentAST: document });
};

function parsedOrNull(query: string): DocumentNode | null {
  try {
    return parse(query);
  } catch {
    return null;
  }
}

function operationsOf(document: DocumentNode | undefined): OperationDefinitionNode[] {
  return (document?.definitions ?? []).filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
}

const root = document.getElementById(PAGE_ROOT_ELEMENT_ID);
if (root === null) throw new Error(`The page has no #${PAGE_ROOT_ELEMENT_ID} element`);

createRoot(root).render(
  createElement(GraphiQL, {
    fetcher,
    // Used only when the browser has no saved tabs: a returning user keeps the tabs they edited,
    // a new one gets the example query with dates relative to this page load.
    defaultTabs: [{ query: config.query, variables: config.variables, headers: config.headers }],
    defaultHeaders: config.headers,
    isHeadersEditorEnabled: true,
    // Open on the headers editor: the first thing a new visitor may need to fill in is a credential.
    defaultEditorToolsVisibility: 'headers',
    plugins: [explorerPlugin()],
  }),
);
