// Browser entry of the GraphiQL page: bundled by ../build.ts with esbuild, type-checked by
// ./tsconfig.json, never emitted by tsc. `createElement` instead of JSX keeps it free of a JSX setting.
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { installMonacoWorkers } from './monacoWorkers.js';
import { readPageConfig } from './readPageConfig.js';
import { PAGE_ROOT_ELEMENT_ID } from '../pageConfig.js';

const config = readPageConfig(document);
installMonacoWorkers(config.workers);

const fetcher = createGraphiQLFetcher({
  url: config.graphqlPath,
  // Subscriptions go over graphql-ws on the same path; the toolkit opens one socket per subscription and
  // sends the headers editor's contents as connectionParams, which is where the gateway reads Authorization.
  subscriptionUrl: `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${config.graphqlPath}`,
  // The gateway always answers with one JSON result (Apollo Server streams @defer/@stream only with
  // graphql 17), so the plain JSON fetcher is enough and no request asks for multipart/mixed.
  enableIncrementalDelivery: false,
});

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
