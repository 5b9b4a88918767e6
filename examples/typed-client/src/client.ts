import type { TypedDocumentString } from '../gql/graphql.js';

export interface GraphQLClient {
  /** The gateway's GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  readonly endpoint: string;
  /** Sent with every request, e.g. { authorization: 'Bearer ...' } when the gateway passes credentials through. */
  readonly headers?: Readonly<Record<string, string>>;
}

interface GraphQLErrorBody {
  readonly message: string;
  readonly extensions?: { readonly code?: unknown };
}

/** The response carried errors: `codes` are their extensions.code, which the gateway always sets. */
export class GraphQLRequestError extends Error {
  override readonly name = 'GraphQLRequestError';
  readonly codes: readonly string[];

  constructor(readonly errors: readonly GraphQLErrorBody[]) {
    super(errors.map((error) => error.message).join('; '));
    this.codes = errors.map((error) => (typeof error.extensions?.code === 'string' ? error.extensions.code : 'UNKNOWN'));
  }
}

/**
 * Sends one typed document with plain fetch. The result type comes from the document, so
 * `execute(client, siteStatsDocument, ...)` returns exactly the fields that query selects.
 */
export async function execute<TResult, TVariables>(
  client: GraphQLClient,
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  const response = await fetch(client.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...client.headers },
    body: JSON.stringify({ query: document.toString(), variables }),
  });
  const body = (await response.json()) as { data?: TResult | null; errors?: GraphQLErrorBody[] };
  if (body.errors?.length) throw new GraphQLRequestError(body.errors);
  if (!body.data) throw new GraphQLRequestError([{ message: `HTTP ${response.status} without data` }]);
  return body.data;
}
