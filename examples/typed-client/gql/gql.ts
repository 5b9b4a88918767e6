/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query CallsPage($site: ID!, $from: DateTime!, $to: DateTime!, $first: Int = 50, $after: String) {\n    site(id: $site) {\n      calls(from: $from, to: $to, first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        nodes {\n          id\n          callId\n          beginTime\n          skill\n          stage\n          conversationId\n        }\n      }\n    }\n  }\n": typeof types.CallsPageDocument,
    "\n  query SiteStats($site: ID!, $from: DateTime!, $to: DateTime!, $filter: CallFilter) {\n    site(id: $site) {\n      stats(from: $from, to: $to, filter: $filter) {\n        totalCalls\n        deflectionRate\n        medianSecondsToConversation\n        byStage {\n          stage\n          count\n        }\n        bySkill {\n          skill\n          totalCalls\n          conversations\n          deflectionRate\n        }\n      }\n    }\n  }\n": typeof types.SiteStatsDocument,
    "\n  query SiteTimeline($site: ID!, $from: DateTime!, $to: DateTime!, $interval: TimelineInterval!, $timeZone: String, $filter: CallFilter) {\n    site(id: $site) {\n      timeline(from: $from, to: $to, interval: $interval, timeZone: $timeZone, filter: $filter) {\n        start\n        end\n        stats {\n          totalCalls\n          deflectionRate\n          medianSecondsToConversation\n        }\n      }\n    }\n  }\n": typeof types.SiteTimelineDocument,
};
const documents: Documents = {
    "\n  query CallsPage($site: ID!, $from: DateTime!, $to: DateTime!, $first: Int = 50, $after: String) {\n    site(id: $site) {\n      calls(from: $from, to: $to, first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        nodes {\n          id\n          callId\n          beginTime\n          skill\n          stage\n          conversationId\n        }\n      }\n    }\n  }\n": types.CallsPageDocument,
    "\n  query SiteStats($site: ID!, $from: DateTime!, $to: DateTime!, $filter: CallFilter) {\n    site(id: $site) {\n      stats(from: $from, to: $to, filter: $filter) {\n        totalCalls\n        deflectionRate\n        medianSecondsToConversation\n        byStage {\n          stage\n          count\n        }\n        bySkill {\n          skill\n          totalCalls\n          conversations\n          deflectionRate\n        }\n      }\n    }\n  }\n": types.SiteStatsDocument,
    "\n  query SiteTimeline($site: ID!, $from: DateTime!, $to: DateTime!, $interval: TimelineInterval!, $timeZone: String, $filter: CallFilter) {\n    site(id: $site) {\n      timeline(from: $from, to: $to, interval: $interval, timeZone: $timeZone, filter: $filter) {\n        start\n        end\n        stats {\n          totalCalls\n          deflectionRate\n          medianSecondsToConversation\n        }\n      }\n    }\n  }\n": types.SiteTimelineDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CallsPage($site: ID!, $from: DateTime!, $to: DateTime!, $first: Int = 50, $after: String) {\n    site(id: $site) {\n      calls(from: $from, to: $to, first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        nodes {\n          id\n          callId\n          beginTime\n          skill\n          stage\n          conversationId\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.js').CallsPageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SiteStats($site: ID!, $from: DateTime!, $to: DateTime!, $filter: CallFilter) {\n    site(id: $site) {\n      stats(from: $from, to: $to, filter: $filter) {\n        totalCalls\n        deflectionRate\n        medianSecondsToConversation\n        byStage {\n          stage\n          count\n        }\n        bySkill {\n          skill\n          totalCalls\n          conversations\n          deflectionRate\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.js').SiteStatsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SiteTimeline($site: ID!, $from: DateTime!, $to: DateTime!, $interval: TimelineInterval!, $timeZone: String, $filter: CallFilter) {\n    site(id: $site) {\n      timeline(from: $from, to: $to, interval: $interval, timeZone: $timeZone, filter: $filter) {\n        start\n        end\n        stats {\n          totalCalls\n          deflectionRate\n          medianSecondsToConversation\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.js').SiteTimelineDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
