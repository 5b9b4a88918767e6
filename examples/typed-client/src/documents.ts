import { graphql } from '../gql/index.js';

/**
 * The operations this app sends. graphql-codegen reads these `graphql(...)` calls and types each one's
 * result and variables in gql/, so the compiler checks every field the app reads against the schema.
 */
export const callsPageDocument = graphql(`
  query CallsPage($site: ID!, $from: DateTime!, $to: DateTime!, $first: Int = 50, $after: String) {
    site(id: $site) {
      calls(from: $from, to: $to, first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          callId
          beginTime
          skill
          stage
          conversationId
        }
      }
    }
  }
`);

export const siteStatsDocument = graphql(`
  query SiteStats($site: ID!, $from: DateTime!, $to: DateTime!, $filter: CallFilter) {
    site(id: $site) {
      stats(from: $from, to: $to, filter: $filter) {
        totalCalls
        deflectionRate
        medianSecondsToConversation
        byStage {
          stage
          count
        }
        bySkill {
          skill
          totalCalls
          conversations
          deflectionRate
        }
      }
    }
  }
`);

export const siteTimelineDocument = graphql(`
  query SiteTimeline($site: ID!, $from: DateTime!, $to: DateTime!, $interval: TimelineInterval!, $timeZone: String, $filter: CallFilter) {
    site(id: $site) {
      timeline(from: $from, to: $to, interval: $interval, timeZone: $timeZone, filter: $filter) {
        start
        end
        stats {
          totalCalls
          deflectionRate
          medianSecondsToConversation
        }
      }
    }
  }
`);
