import { isJsonObject } from '../wire/json.js';

/**
 * The one definition of what masking personal data means, shared by answers (MASK_PII) and recordings
 * (LIVEDEFLECT_RECORD_MASK_PII), so a masked recording reads back exactly like a masked answer.
 */

const MASKED_VALUE = '****';
const MASKED_TEXT = '[masked]';

/** All but the last four digits become "*"; the rest of the text keeps its shape. */
export function maskDigits(text: string): string {
  const total = (text.match(/\d/g) ?? []).length;
  let seen = 0;
  return text.replace(/\d/g, (digit) => (++seen <= total - 4 ? '*' : digit));
}

/** callerInfo keeps its keys (a dashboard can still group by them) and hides every value. */
export function maskCallerInfo(info: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(info).map((key) => [key, MASKED_VALUE]));
}

/** The raw callerInfo string, masked: a JSON object keeps its keys; anything else is hidden whole. */
export function maskCallerInfoRaw(raw: string): string {
  try {
    const info: unknown = JSON.parse(raw);
    if (isJsonObject(info)) return JSON.stringify(maskCallerInfo(info));
  } catch {
    // Not JSON: hidden whole below.
  }
  return MASKED_TEXT;
}
