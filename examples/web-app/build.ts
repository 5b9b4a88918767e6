import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
export const defaultWebAppDir = join(here, 'dist');

/**
 * Builds the web app into static files: index.html, app.css and app.js (src/ and its libraries in one
 * module). Any static file server can serve the directory; `npm run build:web-app` writes dist/.
 */
export async function buildWebApp(outDir: string = defaultWebAppDir): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(here, 'src/main.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    // urql reads process.env.NODE_ENV for its development warnings; a browser has no process.
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  await copyFile(join(here, 'index.html'), join(outDir, 'index.html'));
  await copyFile(join(here, 'app.css'), join(outDir, 'app.css'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildWebApp();
