import type { CallsPageQuery, SiteStatsQuery, SiteTimelineQuery, TimelineInterval } from '../gql/graphql.js';
import { execute, type GraphQLClient } from './client.js';
import { callsPageDocument, siteStatsDocument, siteTimelineDocument } from './documents.js';

export type CallRow = NonNullable<CallsPageQuery['site']['calls']>['nodes'][number];
export type SiteStats = NonNullable<SiteStatsQuery['site']['stats']>;
export type TimelinePoint = NonNullable<SiteTimelineQuery['site']['timeline']>[number];

export interface DayRange {
  readonly site: string;
  /** ISO-8601, e.g. "2025-01-15T00:00:00Z". */
  readonly from: string;
  readonly to: string;
}

/** Every call of the range, page by page, following the Relay cursor (at most maxPages pages). */
export async function allCalls(client: GraphQLClient, range: DayRange, pageSize = 100, maxPages = 50): Promise<CallRow[]> {
  const rows: CallRow[] = [];
  let after: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const data: CallsPageQuery = await execute(client, callsPageDocument, { ...range, first: pageSize, after });
    const calls = data.site.calls;
    if (!calls) break;
    rows.push(...calls.nodes);
    if (!calls.pageInfo.hasNextPage) break;
    after = calls.pageInfo.endCursor ?? null;
  }
  return rows;
}

export async function siteStats(client: GraphQLClient, range: DayRange, skills?: string[]): Promise<SiteStats | null> {
  const data = await execute(client, siteStatsDocument, { ...range, filter: skills ? { skills } : null });
  return data.site.stats ?? null;
}

/** A chart's series: one point per interval of the site's own clock, e.g. per HOUR in "Australia/Sydney". */
export async function siteTimeline(
  client: GraphQLClient,
  range: DayRange,
  interval: TimelineInterval,
  timeZone: string,
): Promise<readonly TimelinePoint[] | null> {
  const data = await execute(client, siteTimelineDocument, { ...range, interval, timeZone });
  return data.site.timeline ?? null;
}

/** What a dashboard tile shows: a few lines of text from the typed stats. */
export function describeStats(stats: SiteStats): string[] {
  const percent = (rate: number | null): string => (rate === null ? 'n/a' : `${(rate * 100).toFixed(1)}%`);
  const median = stats.medianSecondsToConversation;
  const top = stats.bySkill[0];
  return [
    `${stats.totalCalls} calls, ${percent(stats.deflectionRate)} deflected to messaging`,
    `median time to conversation: ${median === null ? 'n/a' : `${Math.round(median)} s`}`,
    ...stats.byStage.map(({ stage, count }) => `${stage}: ${count}`),
    top ? `busiest skill: ${top.skill || '(none)'} (${top.totalCalls} calls, ${percent(top.deflectionRate)})` : 'no skills',
  ];
}
