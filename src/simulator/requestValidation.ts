import type { WindowRequest } from '../wire/livedeflect.js';

// Reading the request body the way the upstream must: all three fields required, numeric, and a
// non-empty window. Numbers are accepted as JSON numbers or numeric strings (the document sends
// strings); anything else is a 400 with a message saying which field is wrong.

export type ParsedRequest =
  | { ok: true; request: WindowRequest }
  /** `partial` holds the fields that did parse, for the request log. */
  | { ok: false; message: string; partial: Partial<WindowRequest> };

function digits(value: unknown): string | undefined {
  if (typeof value === 'string' && /^\d{1,16}$/.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}

function epochMs(value: unknown): number | undefined {
  const text = digits(value);
  const ms = text === undefined ? NaN : Number(text);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

export function parseWindowRequest(body: string): ParsedRequest {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, message: 'body must be JSON', partial: {} };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, message: 'body must be a JSON object {"siteId","startTime","endTime"}', partial: {} };
  }
  const fields = json as Record<string, unknown>;
  const siteId = digits(fields.siteId);
  const startTime = epochMs(fields.startTime);
  const endTime = epochMs(fields.endTime);
  const partial: Partial<WindowRequest> = {
    ...(siteId !== undefined && { siteId }),
    ...(startTime !== undefined && { startTime }),
    ...(endTime !== undefined && { endTime }),
  };
  if (siteId === undefined) return { ok: false, message: 'siteId is required and must be numeric', partial };
  if (startTime === undefined) return { ok: false, message: 'startTime is required and must be epoch milliseconds', partial };
  if (endTime === undefined) return { ok: false, message: 'endTime is required and must be epoch milliseconds', partial };
  if (startTime >= endTime) return { ok: false, message: 'startTime must be less than endTime', partial };
  return { ok: true, request: { siteId, startTime, endTime } };
}
