// Just enough of RFC 9110 content negotiation (section 12.5) to tell a browser navigating to the
// endpoint from a GraphQL client calling it, and to pick a content coding.

interface Preference {
  readonly range: string;
  readonly q: number;
}

function parsePreferences(header: string | undefined): Preference[] {
  if (header === undefined) return [];
  return header.split(',').flatMap((item) => {
    const [range = '', ...params] = item.split(';').map((part) => part.trim().toLowerCase());
    if (range === '') return [];
    const qParam = params.find((param) => param.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    return [{ range, q: Number.isFinite(q) ? q : 0 }];
  });
}

// The quality the header gives `mediaType`, taken from its most specific matching range
// (`text/html` over `text/*` over `*/*`), with how specific that match was: 0 when nothing matched.
function qualityOf(preferences: readonly Preference[], mediaType: string): { q: number; specificity: number } {
  const [type] = mediaType.split('/');
  let best = { q: 0, specificity: 0 };
  for (const { range, q } of preferences) {
    const specificity = range === mediaType ? 3 : range === `${type}/*` ? 2 : range === '*/*' ? 1 : 0;
    if (specificity > best.specificity) best = { q, specificity };
  }
  return best;
}

const GRAPHQL_RESPONSE_TYPES = ['application/graphql-response+json', 'application/json'];

// True when the client would rather have an HTML page than a GraphQL response. Browsers list
// `text/html` explicitly and reach JSON only through `*/*`; GraphQL clients ask for JSON; curl's bare
// `*/*` is a tie, and a tie is no preference for the page.
export function prefersHtml(accept: string | undefined): boolean {
  const preferences = parsePreferences(accept);
  const html = qualityOf(preferences, 'text/html');
  if (html.q <= 0) return false;
  return GRAPHQL_RESPONSE_TYPES.every((type) => {
    const other = qualityOf(preferences, type);
    return html.q > other.q || (html.q === other.q && html.specificity > other.specificity);
  });
}

/** True when the client accepts a gzip-coded response. */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  const preferences = parsePreferences(acceptEncoding);
  const match =
    preferences.find(({ range }) => range === 'gzip' || range === 'x-gzip') ??
    preferences.find(({ range }) => range === '*');
  return match !== undefined && match.q > 0;
}
