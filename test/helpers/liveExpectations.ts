import { generateWindow } from '../../src/simulator/index.js';

type Stage = 'STARTED' | 'ACCEPTED' | 'DECLINED' | 'TEXT_SENT' | 'CONVERSATION_STARTED';

export interface CallState {
  readonly callId: string;
  readonly beginTime: number;
  readonly events: number;
  readonly stage: Stage;
}

/** Every call of the site the simulator shows at `now` that began in [from, to), with its stage as the README defines it. */
export function callStates(siteId: string, callsPerHour: number, now: number, from: number, to: number): Map<string, CallState> {
  const data = generateWindow({ seed: 'livedeflect', siteId, startTime: from, endTime: to, now, callsPerHour });
  const states = new Map<string, CallState>();
  for (const [callId, events] of Object.entries(data)) {
    const sorted = [...events].sort((a, b) => Number(a.eventTime) - Number(b.eventTime));
    let answer: Stage | null = null;
    let texted = false;
    let conversation = false;
    for (const event of sorted) {
      if (event.eventType === 'deflresponse') answer = event.eventInfo === 'Y' ? 'ACCEPTED' : 'DECLINED';
      if (event.eventType === 'sendtext') texted = true;
      if (event.eventType === 'conversationid') conversation = true;
    }
    const stage: Stage = conversation ? 'CONVERSATION_STARTED' : texted ? 'TEXT_SENT' : (answer ?? 'STARTED');
    states.set(callId, { callId, beginTime: Number(events[0]!.beginTimeStamp), events: events.length, stage });
  }
  return states;
}

export interface ExpectedUpdate {
  readonly kind: 'NEW' | 'CHANGED';
  readonly callId: string;
  readonly stage: Stage;
}

/**
 * The rules, written out: a call that is new or gained events between two states is sent when it
 * matches, NEW the first time this subscriber hears of it and CHANGED after. `sent` is the subscriber's memory.
 */
export function expectedUpdates(
  before: Map<string, CallState>,
  after: Map<string, CallState>,
  matches: (state: CallState) => boolean,
  sent: Set<string>,
): ExpectedUpdate[] {
  const updates: ExpectedUpdate[] = [];
  const changed = [...after.values()]
    .filter((state) => before.get(state.callId)?.events !== state.events)
    .sort((a, b) => a.beginTime - b.beginTime || (a.callId < b.callId ? -1 : 1));
  for (const state of changed) {
    if (!matches(state)) continue;
    updates.push({ kind: sent.has(state.callId) ? 'CHANGED' : 'NEW', callId: state.callId, stage: state.stage });
    sent.add(state.callId);
  }
  return updates;
}
