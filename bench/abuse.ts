/**
 * The abuse phase of `npm run loadtest`, and of its shorter run in the test suite: one client floods the
 * gateway with what used to grow its memory or the upstream's load (distinct ~1 MB documents, each a
 * short query under a long comment, and operations over the window budget), while the others run their
 * normal mix and must not notice.
 */

/** Just under the default MAX_BODY_BYTES (1 MiB) once wrapped in JSON, so the body is read and the query text judged. */
export const ABUSE_DOCUMENT_BYTES = 1_000_000;

/** A valid document of ABUSE_DOCUMENT_BYTES, distinct per index: one token of query under a comment. */
export function hugeDocument(index: number): string {
  const head = `{ __typename } # abuse ${index} `;
  return head + 'x'.repeat(ABUSE_DOCUMENT_BYTES - head.length);
}

/** Fifty aliased sites of 31-day stats: a few KB of text that asks for some 1,550 upstream windows. */
export function overBudgetOperation(index: number, lastDay: number): string {
  const day = 86_400_000;
  const range = `from: "${new Date(lastDay - 31 * day).toISOString()}", to: "${new Date(lastDay).toISOString()}"`;
  return `{ ${Array.from({ length: 50 }, (_, i) => `s${i}: site(id: "${90_000_000 + index * 50 + i}") { stats(${range}) { totalCalls } }`).join(' ')} }`;
}

/** The abusive request bodies in the order the flood sends them: three documents, then an over-budget operation. */
export function abuseBody(index: number, lastDay: number): string {
  return JSON.stringify({ query: index % 4 === 3 ? overBudgetOperation(index, lastDay) : hugeDocument(index) });
}

export interface AbuseTally {
  sent: number;
  /** HTTP status -> answers; the abuser is meant to get 400s. */
  readonly statuses: Map<number, number>;
  connectionErrors: number;
}

/**
 * Sends abusive requests on `connections` connections until `count` are sent or `stop()` says so. What the
 * abuser gets back is counted, not judged: the figures that matter are what the other clients saw.
 */
export async function floodGateway(
  graphqlUrl: string,
  options: { readonly count: number; readonly connections: number; readonly lastDay: number; readonly stop?: () => boolean },
): Promise<AbuseTally> {
  const tally: AbuseTally = { sent: 0, statuses: new Map(), connectionErrors: 0 };
  const stop = options.stop ?? (() => false);
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (tally.sent < options.count && !stop()) {
        const body = abuseBody(tally.sent++, options.lastDay);
        try {
          const response = await fetch(graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
          await response.arrayBuffer();
          tally.statuses.set(response.status, (tally.statuses.get(response.status) ?? 0) + 1);
        } catch {
          tally.connectionErrors++;
        }
      }
    }),
  );
  return tally;
}
