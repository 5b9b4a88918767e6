/**
 * The configuration the server embeds in the GraphiQL page and the browser bundle reads back.
 * It is the only contract between `page.ts` (Node) and `client/index.ts` (browser), so both
 * import this type; nothing else crosses that boundary.
 */
export interface GraphiQLPageConfig {
  /** Same-origin path of the GraphQL endpoint the fetcher posts to, e.g. `/graphql`. */
  readonly graphqlPath: string;
  /** Same-origin URLs of the Monaco web workers, keyed by the label Monaco asks for. */
  readonly workers: MonacoWorkerUrls;
  /** Contents of the tab GraphiQL opens when the browser has no saved tabs. */
  readonly query: string;
  readonly variables: string | undefined;
  readonly headers: string | undefined;
}

export interface MonacoWorkerUrls {
  /** Monaco's generic editor worker (label `editorWorkerService` and any unknown label). */
  readonly editor: string;
  /** JSON language service, used by the variables, headers and response editors. */
  readonly json: string;
  /** monaco-graphql's language service, used by the operation editor. */
  readonly graphql: string;
}

/** Id of the `<script type="application/json">` element that carries the config. */
export const PAGE_CONFIG_ELEMENT_ID = 'graphiql-config';
/** Id of the element GraphiQL renders into. */
export const PAGE_ROOT_ELEMENT_ID = 'graphiql';
