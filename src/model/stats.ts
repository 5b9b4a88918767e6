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

/**
 * What deflection figures are made from, for one set of calls. Counts add up across sets; a median does
 * not, so a tally keeps each conversation's seconds from call begin (ascending), and the median is taken
 * over all the values of every set a figure covers (statsOfTallies), never from medians of parts.
 * Immutable once made: a bucket's tally is shared by every operation that reads the bucket.
 */
export interface StatsTally {
  readonly totalCalls: number;
  readonly conversations: number;
  /** Calls per stage, at the index STAGE_ORDER gives each stage. */
  readonly byStage: readonly number[];
  readonly bySkill: ReadonlyMap<string, { readonly totalCalls: number; readonly conversations: number }>;
  readonly secondsToConversation: readonly number[];
}

const STAGES = (Object.keys(STAGE_ORDER) as Stage[]).sort((a, b) => STAGE_ORDER[a] - STAGE_ORDER[b]);

/** The tally of the given calls. Pure: no I/O. */
export function tallyOf(calls: Iterable<CallModel>): StatsTally {
  const byStage = STAGES.map(() => 0);
  const bySkill = new Map<string, { totalCalls: number; conversations: number }>();
  const secondsToConversation: number[] = [];
  let conversations = 0;
  let totalCalls = 0;
  for (const call of calls) {
    totalCalls++;
    const converted = call.stage === 'CONVERSATION_STARTED';
    byStage[STAGE_ORDER[call.stage]]!++;
    const skillName = call.skill ?? '';
    const skill = bySkill.get(skillName) ?? { totalCalls: 0, conversations: 0 };
    skill.totalCalls++;
    if (converted) {
      skill.conversations++;
      conversations++;
    }
    bySkill.set(skillName, skill);
    // Events are sorted, so the first conversationid event is when the conversation opened. Only a
    // converted call can have one (the event makes the stage), so the others' events are not read.
    const opened = converted ? call.events.find((event) => event.type === 'CONVERSATION_ID') : undefined;
    if (opened) secondsToConversation.push((opened.time - call.beginTime) / 1000);
  }
  return { totalCalls, conversations, byStage, bySkill, secondsToConversation: secondsToConversation.sort((a, b) => a - b) };
}

/** The deflection figures of the calls of all the given tallies together (of disjoint sets of calls). */
export function statsOfTallies(tallies: readonly StatsTally[]): DeflectionStatsModel {
  const byStage = STAGES.map(() => 0);
  const bySkill = new Map<string, { totalCalls: number; conversations: number }>();
  let totalCalls = 0;
  let conversations = 0;
  for (const tally of tallies) {
    totalCalls += tally.totalCalls;
    conversations += tally.conversations;
    tally.byStage.forEach((count, stage) => (byStage[stage]! += count));
    for (const [skillName, counts] of tally.bySkill) {
      const skill = bySkill.get(skillName) ?? { totalCalls: 0, conversations: 0 };
      skill.totalCalls += counts.totalCalls;
      skill.conversations += counts.conversations;
      bySkill.set(skillName, skill);
    }
  }
  const seconds =
    tallies.length === 1 ? tallies[0]!.secondsToConversation : tallies.flatMap((tally) => tally.secondsToConversation).sort((a, b) => a - b);
  return {
    totalCalls,
    byStage: STAGES.map((stage, index) => ({ stage, count: byStage[index]! })),
    bySkill: [...bySkill]
      .map(([skill, counts]) => ({ skill, ...counts, deflectionRate: rate(counts.conversations, counts.totalCalls) }))
      .sort((a, b) => b.totalCalls - a.totalCalls || (a.skill < b.skill ? -1 : a.skill > b.skill ? 1 : 0)),
    deflectionRate: rate(conversations, totalCalls),
    medianSecondsToConversation: median(seconds),
  };
}

/** Deflection figures of the given calls (already limited to a range and filter). Pure: no I/O. */
export function deflectionStatsOf(calls: readonly CallModel[]): DeflectionStatsModel {
  return statsOfTallies([tallyOf(calls)]);
}

function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

/** The middle value of ascending values, or the mean of the two middle values of an even count; null for none. */
function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const middle = sorted.length >>> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
