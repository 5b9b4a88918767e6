import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../logger.js';
import { maskRecordedBody } from './maskRecording.js';
import { windowFilePath, type RecordedWindow } from '../wire/windowFiles.js';

export interface RecorderOptions {
  /** LIVEDEFLECT_RECORD. */
  readonly dir: string;
  /** LIVEDEFLECT_RECORD_MASK_PII. */
  readonly maskPii: boolean;
  readonly logger: Logger;
}

export interface WindowRecorder {
  /** The client's onBody hook: saves one upstream answer in the background. */
  readonly record: (window: RecordedWindow, body: string) => void;
  /** Resolves once every recording started so far is on disk (the gateway waits for it on close). */
  readonly flush: () => Promise<void>;
}

/**
 * LIVEDEFLECT_RECORD: each window answer from the upstream, saved as the body alone. The request's
 * headers, and with them the credential, are never seen here. Writes go to a temporary file renamed
 * into place, so a replay never reads half a recording; a failed write is logged and never fails the
 * query that fetched the data.
 */
export function createWindowRecorder(options: RecorderOptions): WindowRecorder {
  const pending = new Set<Promise<void>>();
  let sequence = 0;
  const save = async (window: RecordedWindow, body: string): Promise<void> => {
    const content = options.maskPii ? maskRecordedBody(body) : body;
    if (content === null) {
      options.logger.warn(where(window), 'LIVEDEFLECT_RECORD: answer not recorded, it is not JSON and could not be masked');
      return;
    }
    const path = windowFilePath(options.dir, window);
    const temporary = `${path}.${process.pid}.${++sequence}.tmp`;
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temporary, content);
    await rename(temporary, path);
  };
  return {
    record: (window, body) => {
      const write = save(window, body).catch((error: unknown) => {
        options.logger.warn({ ...where(window), err: error }, 'LIVEDEFLECT_RECORD: could not save an upstream answer');
      });
      pending.add(write);
      void write.finally(() => pending.delete(write));
    },
    flush: async () => {
      await Promise.all(pending);
    },
  };
}

/** The window alone: the client hands over its whole request, credential included, which must not reach a log. */
function where({ siteId, startTime, endTime }: RecordedWindow): RecordedWindow {
  return { siteId, startTime, endTime };
}
