// The life of one deflection attempt: the ordered steps LiveDeflect records, how many callers get past
// each one, and how long each takes. A call's whole timeline is fixed when it begins; the generator
// then shows only the part that has happened by "now".
import type { Rng } from './prng.js';

export interface Step {
  eventType: string;
  eventInfo: string;
  eventTime: number;
}

export interface FunnelInput {
  begin: number;
  /** Empty when the IVR passed no skill: such callers never make a skill choice. */
  skill: string;
  welcomeMessage: string;
  conversationId: string;
}

interface Stage {
  eventType: string;
  /** The share of calls at the previous step that reach this one. */
  reach: number;
  /** The delay since the previous step. */
  minMs: number;
  maxMs: number;
  info(call: FunnelInput, rng: Rng): string;
  /** Whether the call can go on after this step, given its info. */
  continues?(info: string): boolean;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

const STAGES: readonly Stage[] = [
  { eventType: 'skillchoice', reach: 0.93, minMs: 4 * SECOND, maxMs: 45 * SECOND, info: (call) => call.skill },
  { eventType: 'ovrchan', reach: 0.88, minMs: 2 * SECOND, maxMs: 20 * SECOND, info: () => 'sms' },
  {
    eventType: 'deflresponse',
    reach: 0.94,
    minMs: 5 * SECOND,
    maxMs: 60 * SECOND,
    info: (_call, rng) => (rng.chance(0.62) ? 'Y' : 'N'),
    continues: (info) => info === 'Y',
  },
  { eventType: 'sendtext', reach: 0.97, minMs: 500, maxMs: 6 * SECOND, info: (call) => call.welcomeMessage },
  {
    eventType: 'conversationid',
    reach: 0.9,
    minMs: 15 * SECOND,
    maxMs: 4 * MINUTE,
    info: (call) => call.conversationId,
  },
];

// Rarely the upstream reports an event type outside the documented list; the gateway must keep it.
const UNKNOWN_TAIL: Stage = {
  eventType: 'callend',
  reach: 0.015,
  minMs: 10 * SECOND,
  maxMs: 5 * MINUTE,
  info: () => 'hangup',
};

/** No call has an event later than this after its begin, so a window this far in the past is settled. */
export const MAX_CALL_DURATION_MS = [...STAGES, UNKNOWN_TAIL].reduce((sum, stage) => sum + stage.maxMs, 0);

// Skewed towards short delays: most callers press a key quickly, a few take their time.
function delay(rng: Rng, stage: Stage): number {
  return stage.minMs + Math.floor((stage.maxMs - stage.minMs) * rng.next() ** 2);
}

/** The full timeline of a call in time order, from callstart to wherever the caller dropped off. */
export function planFunnel(rng: Rng, call: FunnelInput): Step[] {
  const steps: Step[] = [{ eventType: 'callstart', eventInfo: 'Y', eventTime: call.begin }];
  let time = call.begin;
  const take = (stage: Stage): string => {
    time += delay(rng, stage);
    const eventInfo = stage.info(call, rng);
    steps.push({ eventType: stage.eventType, eventInfo, eventTime: time });
    return eventInfo;
  };
  if (call.skill !== '') {
    for (const stage of STAGES) {
      if (!rng.chance(stage.reach)) break;
      const info = take(stage);
      if (stage.continues && !stage.continues(info)) break;
    }
  }
  if (rng.chance(UNKNOWN_TAIL.reach)) take(UNKNOWN_TAIL);
  return steps;
}
