import { isJsonObject } from '../wire/json.js';
import { maskCallerInfoRaw, maskDigits } from '../model/masking.js';

const PHONE_FIELDS = ['customerPhoneNumber', 'dialedPhoneNumber'] as const;

/**
 * LIVEDEFLECT_RECORD_MASK_PII: the same personal data MASK_PII hides from clients, hidden in the
 * recording itself, so recordings of a real account can be shared with a team. Phone numbers keep
 * their last four digits; callerInfo keeps its keys and loses its values (or becomes "[masked]" when it
 * is not a JSON object, which reads back as the same null callerInfo). Returns null for a body that is
 * not JSON: what can't be read can't be known to be clean, so it is not recorded.
 */
export function maskRecordedBody(body: string): string | null {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  if (isJsonObject(json) && isJsonObject(json.data)) {
    for (const value of Object.values(json.data)) {
      for (const event of Array.isArray(value) ? value : [value]) {
        if (isJsonObject(event)) maskEvent(event);
      }
    }
  }
  return JSON.stringify(json);
}

function maskEvent(event: Record<string, unknown>): void {
  for (const field of PHONE_FIELDS) {
    const value = event[field];
    if (typeof value === 'string' || typeof value === 'number') event[field] = maskDigits(String(value));
  }
  if (typeof event.callerInfo === 'string' && event.callerInfo !== '') event.callerInfo = maskCallerInfoRaw(event.callerInfo);
}
