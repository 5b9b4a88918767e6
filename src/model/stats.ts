import type { CallModel, Stage } from './call.js';

export interface StageCountModel {
  readonly stage: Stage;
  readonly count: number;
}

export interface SkillStatsModel {
  /** "" for calls with no skill: the upstream's own value for it, and never the name of a real skill. */
  readonly skill: string;
  readonly totalCalls: number;
  readonly conversations: number;
  readonly deflectionRate: number | null;
}

/** Deflection figures of a set of calls; the shape of the schema's DeflectionStats. */
export interface DeflectionStatsModel {
  readonly totalCalls: number;
  readonly byStage: readonly StageCountModel[];
  readonly bySkill: readonly SkillStatsModel[];
  readonly deflectionRate: number | null;
  readonly medianSecondsToConversation: number | null;
}

// Every stage in the schema enum's order. A Record, so the compiler names a stage added to Stage and
// forgotten here: byStage promises every stage, zero counts included.
const STAGE_ORDER: Readonly<Record<Stage, number>> = { STARTED: 0, ACCEPTED: 1, DECLINED: 2, TEXT_SENT: 3, CONVERSATION_STARTED: 4 };

/** Deflection figures of the given calls (already limited to a range and filter). Pure: no I/O. */
export function deflectionStatsOf(calls: readonly CallModel[]): DeflectionStatsModel {
  const byStage = new Map<Stage, number>((Object.keys(STAGE_ORDER) as Stage[]).map((stage) => [stage, 0]));
  const bySkill = new Map<string, { totalCalls: number; conversations: number }>();
  const secondsToConversation: number[] = [];
  let conversations = 0;
  for (const call of calls) {
    const converted = call.stage === 'CONVERSATION_STARTED';
    byStage.set(call.stage, byStage.get(call.stage)! + 1);
    const skillName = call.skill ?? '';
    const skill = bySkill.get(skillName) ?? { totalCalls: 0, conversations: 0 };
    skill.totalCalls++;
    if (converted) {
      skill.conversations++;
      conversations++;
    }
    bySkill.set(skillName, skill);
    // Events are sorted, so the first conversationid event is when the conversation opened.
    const opened = call.events.find((event) => event.kind === 'CONVERSATION_ID');
    if (opened) secondsToConversation.push((opened.time - call.beginTime) / 1000);
  }
  return {
    totalCalls: calls.length,
    byStage: [...byStage].map(([stage, count]) => ({ stage, count })),
    bySkill: [...bySkill]
      .map(([skill, counts]) => ({ skill, ...counts, deflectionRate: rate(counts.conversations, counts.totalCalls) }))
      .sort((a, b) => b.totalCalls - a.totalCalls || (a.skill < b.skill ? -1 : a.skill > b.skill ? 1 : 0)),
    deflectionRate: rate(conversations, calls.length),
    medianSecondsToConversation: median(secondsToConversation),
  };
}

function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

/** The middle value, or the mean of the two middle values of an even count; null for none. */
function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = values.sort((a, b) => a - b);
  const middle = sorted.length >>> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
