// The replayDir option: answers from a LIVEDEFLECT_RECORD directory instead of generated data, so a
// team develops and tests offline against what their own account sent. A window recorded exactly is
// served byte for byte, quirks included. Any other window (another bucket size or maximum window) is
// answered from the calls of all that site's recordings whose begin time falls in it, so the gateway's
// settings need not match the ones it recorded with.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isSiteDirectory, windowFilePath, windowOfFileName, type RecordedWindow } from '../wire/windowFiles.js';
import type { Answer, AnswerFor } from './answerMemo.js';
import { isJsonObject } from '../wire/json.js';

interface RecordedCall {
  beginTime: number;
  /** The call's value in `data` as recorded: its event list (or single event). */
  value: unknown;
}

interface Recordings {
  /** Exact windows, by file path. */
  answers: Map<string, Answer>;
  /** Per site, per callId: the call from the most recently written recording that holds it. */
  callsBySite: Map<string, Map<string, RecordedCall>>;
}

/** Reads every recording under dir once, at start; throws when dir is not a readable directory. */
export async function replayRecordings(dir: string): Promise<AnswerFor> {
  const recordings = await readRecordings(dir);
  return ({ siteId, startTime, endTime }) => {
    const exact = recordings.answers.get(windowFilePath(dir, { siteId, startTime, endTime }));
    if (exact !== undefined) return exact;
    const calls = [...(recordings.callsBySite.get(siteId)?.entries() ?? [])]
      .filter(([, call]) => call.beginTime >= startTime && call.beginTime < endTime)
      .sort(([idA, a], [idB, b]) => a.beginTime - b.beginTime || (idA < idB ? -1 : idA > idB ? 1 : 0));
    const data = Object.fromEntries(calls.map(([callId, call]) => [callId, call.value]));
    return { body: JSON.stringify({ success: 'true', data }), calls: calls.length };
  };
}

async function readRecordings(dir: string): Promise<Recordings> {
  const files: { window: RecordedWindow; path: string; writtenAt: number }[] = [];
  for (const site of await siteDirectories(dir)) {
    if (!site.isDirectory() || !isSiteDirectory(site.name)) continue;
    for (const name of await readdir(join(dir, site.name))) {
      const window = windowOfFileName(site.name, name);
      if (!window) continue;
      const path = windowFilePath(dir, window);
      files.push({ window, path, writtenAt: (await stat(path)).mtimeMs });
    }
  }
  // Oldest first, so a call in several recordings keeps its latest state (it may have gained events).
  files.sort((a, b) => a.writtenAt - b.writtenAt);
  const recordings: Recordings = { answers: new Map(), callsBySite: new Map() };
  for (const { window, path } of files) {
    const body = await readFile(path, 'utf8');
    const data = recordedData(body);
    recordings.answers.set(path, { body, calls: Object.keys(data).length });
    const calls = recordings.callsBySite.get(window.siteId) ?? new Map<string, RecordedCall>();
    for (const [callId, value] of Object.entries(data)) {
      const beginTime = beginTimeOf(value);
      if (beginTime !== null) calls.set(callId, { beginTime, value });
    }
    recordings.callsBySite.set(window.siteId, calls);
  }
  return recordings;
}

async function siteDirectories(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    const contract = 'a directory made by LIVEDEFLECT_RECORD';
    throw new TypeError(`startSimulator: replayDir must be ${contract}, but ${JSON.stringify(dir)} can't be read (${reason})`, { cause: error });
  }
}

/** A recording's `data` map; empty for a body that is not a successful answer (it is still served exactly). */
function recordedData(body: string): Record<string, unknown> {
  try {
    const json: unknown = JSON.parse(body);
    const data = isJsonObject(json) ? json.data : null;
    return isJsonObject(data) ? data : {};
  } catch {
    return {};
  }
}

/** The begin time the call's events carry (numbers or numeric strings); null when none does. */
function beginTimeOf(value: unknown): number | null {
  for (const event of Array.isArray(value) ? value : [value]) {
    const begin = isJsonObject(event) ? event.beginTimeStamp : undefined;
    const time = typeof begin === 'string' && /^\d{1,16}$/.test(begin.trim()) ? Number(begin) : begin;
    if (typeof time === 'number' && Number.isSafeInteger(time)) return time;
  }
  return null;
}
