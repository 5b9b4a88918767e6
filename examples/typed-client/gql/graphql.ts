/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Criteria for calls. Each given criterion must hold; a list matches when any of its values does. */
export type CallFilter = {
  /** Calls with at least one event of any of these types. */
  eventTypes?: Array<DeflectionEventType> | null | undefined;
  /** true: calls with a conversationId; false: calls without one. */
  hasConversation?: boolean | null | undefined;
  /** Calls whose skill is any of these (exact match). */
  skills?: Array<string> | null | undefined;
  /** Calls whose derived stage is any of these. */
  stages?: Array<DeflectionStage> | null | undefined;
};

/** Kinds of LiveDeflect events. */
export type DeflectionEventType =
  /** callstart: the IVR handed the call to LiveDeflect. */
  | 'CALL_START'
  /** ovrchan: the deflection channel was chosen or overridden. */
  | 'CHANNEL_OVERRIDE'
  /** conversationid: the messaging conversation was opened. */
  | 'CONVERSATION_ID'
  /** deflresponse: the caller accepted (Y) or declined (N) moving to messaging. */
  | 'DEFLECTION_RESPONSE'
  /** sendtext: the welcome SMS was sent. */
  | 'SEND_TEXT'
  /** skillchoice: the caller chose a skill or menu branch. */
  | 'SKILL_CHOICE'
  /** An event type this API does not know yet; see rawType. */
  | 'UNKNOWN';

/** How far a call got in the deflection funnel. */
export type DeflectionStage =
  /** The caller accepted moving to messaging. */
  | 'ACCEPTED'
  /** A messaging conversation was opened. */
  | 'CONVERSATION_STARTED'
  /** The caller declined moving to messaging. */
  | 'DECLINED'
  /** The call reached LiveDeflect; no answer to the offer yet. */
  | 'STARTED'
  /** The welcome SMS was sent. */
  | 'TEXT_SENT';

/** The length of a timeline point, on the clock of the timeline's time zone. */
export type TimelineInterval =
  /** Local days from midnight: 23 or 25 hours long across a daylight saving change. */
  | 'DAY'
  /** Quarter hours: from :00, :15, :30 and :45 of the local clock. */
  | 'FIFTEEN_MINUTES'
  /** Local hours, each 60 minutes long, from the start of a local hour (so :30 UTC where the offset is a half hour). */
  | 'HOUR'
  /** ISO weeks, from local Monday midnight. */
  | 'WEEK';

export type CallsPageQueryVariables = Exact<{
  site: string | number;
  from: string;
  to: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type CallsPageQuery = { site: { calls: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, callId: string, beginTime: string, skill: string | null, stage: DeflectionStage, conversationId: string | null }> } | null } };

export type SiteStatsQueryVariables = Exact<{
  site: string | number;
  from: string;
  to: string;
  filter?: CallFilter | null | undefined;
}>;


export type SiteStatsQuery = { site: { stats: { totalCalls: number, deflectionRate: number | null, medianSecondsToConversation: number | null, byStage: Array<{ stage: DeflectionStage, count: number }>, bySkill: Array<{ skill: string, totalCalls: number, conversations: number, deflectionRate: number | null }> } | null } };

export type SiteTimelineQueryVariables = Exact<{
  site: string | number;
  from: string;
  to: string;
  interval: TimelineInterval;
  timeZone?: string | null | undefined;
  filter?: CallFilter | null | undefined;
}>;


export type SiteTimelineQuery = { site: { timeline: Array<{ start: string, end: string, stats: { totalCalls: number, deflectionRate: number | null, medianSecondsToConversation: number | null } }> | null } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const CallsPageDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<CallsPageQuery, CallsPageQueryVariables>;
export const SiteStatsDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<SiteStatsQuery, SiteStatsQueryVariables>;
export const SiteTimelineDocument = new TypedDocumentString(`
    query SiteTimeline($site: ID!, $from: DateTime!, $to: DateTime!, $interval: TimelineInterval!, $timeZone: String, $filter: CallFilter) {
  site(id: $site) {
    timeline(
      from: $from
      to: $to
      interval: $interval
      timeZone: $timeZone
      filter: $filter
    ) {
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
    `) as unknown as TypedDocumentString<SiteTimelineQuery, SiteTimelineQueryVariables>;