import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { MANIFEST_FILE } from './manifest.js';

export interface StaticAsset {
  readonly body: Buffer;
  /** The build's gzip copy of `body`, when it made one. */
  readonly gzipped: Buffer | undefined;
  readonly contentType: string;
}

// Only what the build emits is served; anything else in the directory stays private.
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
};

/**
 * Reads a GraphiQL build into memory, keyed by its path relative to `dir` with `/` separators.
 * A few megabytes, read once at start: serving then touches no file system, and a request path can
 * only ever name one of these keys, so there is no path to traverse.
 */
export function loadAssets(dir: string): ReadonlyMap<string, StaticAsset> {
  const files = new Map(listFiles(dir).map((file) => [relative(dir, file).split(sep).join('/'), file]));
  const assets = new Map<string, StaticAsset>();
  for (const [path, file] of files) {
    const contentType = CONTENT_TYPES[extname(path)];
    if (contentType === undefined || path === MANIFEST_FILE) continue;
    const gzipFile = files.get(`${path}.gz`);
    assets.set(path, {
      body: readFileSync(file),
      gzipped: gzipFile === undefined ? undefined : readFileSync(gzipFile),
      contentType,
    });
  }
  return assets;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listFiles(path);
    return entry.isFile() ? [path] : [];
  });
}
