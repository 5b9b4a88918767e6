import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Modules run both from src/ (tsx) and from dist/src/ (compiled), which sit at different depths, so the
// project root is found by walking up to package.json rather than by a fixed `../..`.
function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No package.json above ${start}`);
  }
}

/** The folder holding package.json, schema/ and dist/. */
export const projectRoot = findProjectRoot(dirname(fileURLToPath(import.meta.url)));
