// The `precompute` option: serialised answers kept per (site, start, end), so a benchmark measures the
// gateway rather than data generation. A window whose calls have all ended by now can never change and
// is kept until evicted; a window still live is reused only while the clock reads the same instant.
import { MAX_CALL_DURATION_MS } from './funnel.js';
import type { WindowRequest } from '../wire/livedeflect.js';

export interface Answer {
  body: string;
  calls: number;
}

export type AnswerFor = (request: WindowRequest, now: number) => Answer;

interface Entry {
  answer: Answer;
  /** The now it was computed at, or null when the window is settled. */
  now: number | null;
}

// Bounded by total body length (UTF-16 code units), evicting the least recently used.
const MAX_MEMO_CHARS = 256 * 1024 * 1024;

export function memoizeAnswers(answerFor: AnswerFor): AnswerFor {
  const entries = new Map<string, Entry>();
  let chars = 0;
  return (request, now) => {
    const key = `${request.siteId}:${request.startTime}:${request.endTime}`;
    const hit = entries.get(key);
    entries.delete(key);
    if (hit !== undefined && (hit.now === null || hit.now === now)) {
      entries.set(key, hit);
      return hit.answer;
    }
    if (hit !== undefined) chars -= hit.answer.body.length;
    const answer = answerFor(request, now);
    entries.set(key, { answer, now: now >= request.endTime + MAX_CALL_DURATION_MS ? null : now });
    chars += answer.body.length;
    for (const [oldKey, old] of entries) {
      if (chars <= MAX_MEMO_CHARS || oldKey === key) break;
      entries.delete(oldKey);
      chars -= old.answer.body.length;
    }
    return answer;
  };
}
