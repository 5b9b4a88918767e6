import { graphql } from '../gql/index.js';

/**
 * The operations this page sends. Each one is typed in gql/ and listed, by its hash, in
 * gql/persisted-documents.json: the page sends only that hash, so a gateway with
 * PERSISTED_DOCUMENTS_ONLY=true runs these and nothing else.
 */
export const recentCallsDocument = graphql(`
  query RecentCalls($site: ID!, $from: DateTime!, $to: DateTime!) {
    site(id: $site) {
      calls(from: $from, to: $to, order: DESC, first: 100) {
        totalCount
        nodes {
          id
          callId
          beginTime
          skill
          stage
        }
      }
    }
  }
`);

export const deflectionRateDocument = graphql(`
  query DeflectionRate($site: ID!, $from: DateTime!, $to: DateTime!) {
    site(id: $site) {
      stats(from: $from, to: $to) {
        totalCalls
        deflectionRate
      }
    }
  }
`);
