import type { IncomingMessage } from 'node:http';

/** Why a request body was refused, with the HTTP status that says so. */
export class BodyError extends Error {
  override readonly name = 'BodyError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a JSON request body of at most maxBytes. A body that isn't JSON by content type is left
 * undefined, as body-parser leaves it, so Apollo answers with its own content-type and CSRF messages.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new BodyError(413, `Request body is ${declared} bytes; this gateway accepts at most ${maxBytes}`);
  }
  const { chunks, size } = await collect(req, maxBytes);
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (contentType !== 'application/json' && !contentType.endsWith('+json')) return undefined;
  const text = Buffer.concat(chunks, size).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BodyError(400, `Request body is not valid JSON (${(error as Error).message}): send {"query": "...", "variables": {...}}`);
  }
}

/**
 * Collects the body, or rejects with 413 as soon as it passes maxBytes: a chunked body declares no
 * length, and reading one to its end first let a client push gigabytes before being refused. The
 * caller answers with Connection: close, which ends the connection once the 413 is written, so the
 * rest of the body is never read.
 */
function collect(req: IncomingMessage, maxBytes: number): Promise<{ chunks: Buffer[]; size: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      req.off('data', onData);
      req.pause();
      reject(new BodyError(413, `Request body is larger than the ${maxBytes} bytes this gateway accepts`));
    };
    req.on('data', onData);
    req.on('end', () => resolve({ chunks, size }));
    // A client that hangs up mid-body is not our failure: no error log, no 500 to a closed socket.
    req.on('error', (error) => reject(req.destroyed ? new BodyError(400, 'The request was aborted before its body arrived') : error));
  });
}
