const DAY_MS = 86_400_000;

/**
 * GraphiQL's first tab: a query that works against the configured site at once, over the last 24 hours
 * (computed per page load, so it never points at an empty past).
 */
export function exampleQuery(siteId: string, now: number = Date.now()): string {
  const to = new Date(Math.ceil(now / 60_000) * 60_000).toISOString();
  const from = new Date(Date.parse(to) - DAY_MS).toISOString();
  return `# LiveDeflect calls of the last 24 hours. Ctrl+Enter runs it; the cost shows under "extensions".
query RecentCalls {
  site(id: ${JSON.stringify(siteId)}) {
    calls(from: "${from}", to: "${to}", first: 5) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        callId
        skill
        stage
        beginTime
        customerPhone { e164 }
        events { type info time }
      }
    }
  }
}
`;
}
