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
    req.resume();
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
 * Collects the body, or rejects with 413 once it passes maxBytes. The rest is still drained (not
 * destroyed) so the client reads our answer instead of a reset connection.
 */
function collect(req: IncomingMessage, maxBytes: number): Promise<{ chunks: Buffer[]; size: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on('end', () =>
      size > maxBytes ? reject(new BodyError(413, `Request body is larger than the ${maxBytes} bytes this gateway accepts`)) : resolve({ chunks, size }),
    );
    // A client that hangs up mid-body is not our failure: no error log, no 500 to a closed socket.
    req.on('error', (error) => reject(req.destroyed ? new BodyError(400, 'The request was aborted before its body arrived') : error));
  });
}
