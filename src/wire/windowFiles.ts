import { join } from 'node:path';
import type { WindowRequest } from './livedeflect.js';

/** The window one recording answers: the body of the request LiveDeflect was sent. */
export type RecordedWindow = WindowRequest;

/** Site ids become directory names: only the characters account ids have, so no path can escape the directory. */
const SITE_DIRECTORY = /^[A-Za-z0-9_-]{1,64}$/;
const WINDOW_FILE = /^(\d{1,16})-(\d{1,16})\.json$/;

/**
 * The layout of a LIVEDEFLECT_RECORD directory, shared by the recorder and the simulator's replay:
 * `<dir>/<siteId>/<startTime>-<endTime>.json`, times in epoch ms, each file holding one upstream answer's
 * body exactly as it came (or with its personal data masked). A person can list a site's coverage with ls.
 */
export function windowFilePath(dir: string, window: RecordedWindow): string {
  if (!SITE_DIRECTORY.test(window.siteId)) throw new TypeError(`not a site id that can name a directory: ${JSON.stringify(window.siteId)}`);
  return join(dir, window.siteId, `${window.startTime}-${window.endTime}.json`);
}

export function isSiteDirectory(name: string): boolean {
  return SITE_DIRECTORY.test(name);
}

/** The window a file name stands for, or null for any other file. */
export function windowOfFileName(siteId: string, name: string): RecordedWindow | null {
  const match = WINDOW_FILE.exec(name);
  if (!match) return null;
  const startTime = Number(match[1]);
  const endTime = Number(match[2]);
  return startTime < endTime ? { siteId, startTime, endTime } : null;
}
