import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What a GraphiQL build produced, by role. File names carry a content hash so the server can let
 * browsers cache them forever; the page is the only thing that must be fetched fresh, and it learns
 * the current names from here.
 */
export interface AssetManifest {
  readonly script: string;
  readonly style: string;
  readonly workers: { readonly editor: string; readonly json: string; readonly graphql: string };
}

export const MANIFEST_FILE = 'manifest.json';

export async function writeManifest(dir: string, manifest: AssetManifest): Promise<void> {
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

export function readManifestSync(dir: string): AssetManifest {
  const file = join(dir, MANIFEST_FILE);
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isAssetManifest(parsed)) {
    throw new TypeError(`${file} is not a GraphiQL asset manifest; rebuild it with \`npm run build\``);
  }
  return parsed;
}

function isAssetManifest(value: unknown): value is AssetManifest {
  if (typeof value !== 'object' || value === null) return false;
  const { script, style, workers } = value as Record<string, unknown>;
  if (typeof script !== 'string' || typeof style !== 'string') return false;
  if (typeof workers !== 'object' || workers === null) return false;
  const { editor, json, graphql } = workers as Record<string, unknown>;
  return typeof editor === 'string' && typeof json === 'string' && typeof graphql === 'string';
}
