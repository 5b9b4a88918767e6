// Module loader hooks (they run on the loader thread): record each @opentelemetry/* URL resolved.
import { appendFileSync } from 'node:fs';

let file;

export function initialize(data) {
  file = data.file;
}

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (file && resolved.url.includes('/@opentelemetry/')) appendFileSync(file, `${resolved.url}\n`);
  return resolved;
}
