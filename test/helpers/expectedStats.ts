import type { WireEvent } from '../../src/simulator/generator.js';

/** What a test's filter may look at: the call's fields as the API defines them, read off the wire. */
export interface ExpectedCall {
  readonly skill: string;
  readonly stage: string;
  readonly hasConversation: boolean;
}

export interface ExpectedStats {
  totalCalls: number;
  byStage: { stage: string; count: number }[];
  bySkill: { skill: string; totalCalls: number; conversations: number; deflectionRate: number | null }[];
  deflectionRate: number | null;
  medianSecondsToConversation: number | null;
}

/**
 * The figures worked out here from the simulator's wire data, on purpose without the gateway's
 * decoder, model or stats code: the stage rules as livedeflect-api.md describes them.
 */
export function expectedStats(data: Record<string, WireEvent[]>, keep: (call: ExpectedCall) => boolean = () => true): ExpectedStats {
  const stages = ['STARTED', 'ACCEPTED', 'DECLINED', 'TEXT_SENT', 'CONVERSATION_STARTED'];
  const stageCounts = new Map(stages.map((stage) => [stage, 0]));
  const skills = new Map<string, { totalCalls: number; conversations: number }>();
  const seconds: number[] = [];
  let total = 0;
  let conversations = 0;
  for (const events of Object.values(data)) {
    const byTime = [...events].sort((a, b) => Number(a.eventTime) - Number(b.eventTime));
    const skill =
      byTime
        .map((event) => event.skill)
        .filter((value) => value !== '')
        .at(-1) ?? '';
    const types = byTime.map((event) => event.eventType);
    const answer = byTime.filter((event) => event.eventType === 'deflresponse').at(-1)?.eventInfo;
    const stage =
      types.includes('conversationid') || byTime.some((event) => event.conversationId)
        ? 'CONVERSATION_STARTED'
        : types.includes('sendtext')
          ? 'TEXT_SENT'
          : answer === 'Y'
            ? 'ACCEPTED'
            : answer === 'N'
              ? 'DECLINED'
              : 'STARTED';
    const hasConversation = byTime.some((event) => event.conversationId);
    if (!keep({ skill, stage, hasConversation })) continue;
    total++;
    stageCounts.set(stage, stageCounts.get(stage)! + 1);
    const perSkill = skills.get(skill) ?? { totalCalls: 0, conversations: 0 };
    perSkill.totalCalls++;
    if (stage === 'CONVERSATION_STARTED') {
      perSkill.conversations++;
      conversations++;
    }
    skills.set(skill, perSkill);
    const opened = byTime.find((event) => event.eventType === 'conversationid');
    if (opened) seconds.push((Number(opened.eventTime) - Number(opened.beginTimeStamp)) / 1000);
  }
  seconds.sort((a, b) => a - b);
  const half = Math.floor(seconds.length / 2);
  return {
    totalCalls: total,
    byStage: stages.map((stage) => ({ stage, count: stageCounts.get(stage)! })),
    bySkill: [...skills]
      .map(([skill, counts]) => ({ skill, ...counts, deflectionRate: counts.conversations / counts.totalCalls }))
      .sort((a, b) => b.totalCalls - a.totalCalls || a.skill.localeCompare(b.skill)),
    deflectionRate: total === 0 ? null : conversations / total,
    medianSecondsToConversation: seconds.length === 0 ? null : seconds.length % 2 === 1 ? seconds[half]! : (seconds[half - 1]! + seconds[half]!) / 2,
  };
}
