import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// This module runs both from src/ (tsx) and from dist/src/ (compiled), which sit at different depths,
// so the project root is found by walking up to package.json rather than by a fixed `../..`.
function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No package.json above ${start}`);
  }
}

export const projectRoot = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

/** Where `npm run build` puts the GraphiQL bundle, and where the server looks for it by default. */
export const defaultAssetsDir = join(projectRoot, 'dist', 'graphiql');

/**
 * The browser sources are always read from src/: tsc does not compile them (esbuild does), so a
 * build started from the compiled copy of build.ts must still find them here.
 */
export const clientSourceDir = join(projectRoot, 'src', 'http', 'graphiql', 'client');
