// Bundles the GraphiQL page into a directory of static files the server serves from its own origin:
// the page must work offline and its Content-Security-Policy allows no other origin.
//   tsx src/http/graphiql/build.ts [outDir]     (default: dist/graphiql)
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import * as esbuild from 'esbuild';
import { extractInlineFonts } from './fonts.js';
import { MANIFEST_FILE, writeManifest, type AssetManifest } from './manifest.js';
import { projectRoot } from '../../projectRoot.js';
import { clientSourceDir, defaultAssetsDir } from './paths.js';

const gzipAsync = promisify(gzip);

/** A file of the finished bundle, by its path relative to the output directory. */
interface BuiltFile {
  readonly path: string;
  readonly contents: Uint8Array;
}

// Options every bundle shares. esbuild lowers newer syntax for browsers of the last three years or so.
const common = {
  absWorkingDir: projectRoot,
  bundle: true,
  minify: true,
  write: false,
  platform: 'browser',
  target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
  // React and graphql ship development builds with extra checks and warnings behind this flag.
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
} satisfies esbuild.BuildOptions;

/** Writes the bundle to `outDir` (relative to the working directory), replacing any earlier build. */
export async function buildGraphiQL(outDir: string): Promise<void> {
  const dir = resolve(outDir);
  const [app, workers, style] = await Promise.all([bundleApp(dir), bundleWorkers(dir), bundleStyle(dir)]);
  const files = [...app.files, ...workers.files, ...style.files];
  await clearOutDir(dir);
  await Promise.all(
    [...files, ...(await gzipSiblings(files))].map(async (file) => {
      const target = join(dir, file.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.contents);
    }),
  );
  // Last, so that a directory without a manifest is an unfinished build the server refuses to serve.
  await writeManifest(dir, { script: app.script, style: style.style, workers: workers.workers });
}

async function bundleApp(outDir: string): Promise<{ files: BuiltFile[]; script: string }> {
  const result = await esbuild.build({
    ...common,
    entryPoints: { graphiql: join(clientSourceDir, 'index.ts') },
    outdir: outDir,
    format: 'esm',
    // Splitting keeps what graphiql loads lazily (prettier, the JSON language, graphql-ws) out of the
    // first download.
    splitting: true,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    // Monaco's modules import their own CSS files; graphiql/style.css (see client/graphiql.css)
    // already contains all of it, so those imports are dropped instead of duplicated.
    loader: { '.css': 'empty' },
    metafile: true,
  });
  return { files: builtFiles(outDir, result), script: entryOutput(outDir, result.metafile, 'graphiql') };
}

async function bundleWorkers(outDir: string): Promise<{ files: BuiltFile[]; workers: AssetManifest['workers'] }> {
  const result = await esbuild.build({
    ...common,
    entryPoints: {
      'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
      'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
      'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
    },
    outdir: outDir,
    // Classic workers: `new Worker(url)` without `{ type: 'module' }` runs in every browser.
    format: 'iife',
    entryNames: '[name]-[hash]',
    metafile: true,
  });
  return {
    files: builtFiles(outDir, result),
    workers: {
      editor: entryOutput(outDir, result.metafile, 'editor.worker'),
      json: entryOutput(outDir, result.metafile, 'json.worker'),
      graphql: entryOutput(outDir, result.metafile, 'graphql.worker'),
    },
  };
}

async function bundleStyle(outDir: string): Promise<{ files: BuiltFile[]; style: string }> {
  const result = await esbuild.build({
    ...common,
    entryPoints: { graphiql: join(clientSourceDir, 'graphiql.css') },
    outdir: outDir,
  });
  const [output] = result.outputFiles;
  if (output === undefined || result.outputFiles.length !== 1) {
    throw new Error(`Expected one stylesheet from esbuild, got ${result.outputFiles.length} files`);
  }
  const { css, fonts } = extractInlineFonts(output.text);
  // Named after the final content: the fonts were rewritten after esbuild computed its own hash.
  const style = `graphiql-${contentHash(css)}.css`;
  const files = [{ path: style, contents: Buffer.from(css) }, ...fonts];
  return { files, style };
}

// Entries are named `[name]-[hash]`: the metafile tells which output is the entry called `name`
// (its paths are relative to absWorkingDir).
function entryOutput(outDir: string, metafile: esbuild.Metafile, name: string): string {
  const output = Object.entries(metafile.outputs).find(
    ([path, meta]) => meta.entryPoint !== undefined && path.endsWith('.js') && basename(path).startsWith(`${name}-`),
  );
  if (output === undefined) throw new Error(`esbuild produced no output for entry ${name}`);
  return relative(outDir, resolve(projectRoot, output[0]));
}

function builtFiles(outDir: string, result: { outputFiles: esbuild.OutputFile[] }): BuiltFile[] {
  return result.outputFiles.map((file) => ({ path: relative(outDir, file.path), contents: file.contents }));
}

function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12).toUpperCase();
}

// The scripts and the stylesheet are a few megabytes of text that gzip to a quarter of that; the
// server sends the .gz copy to clients that accept it instead of compressing on every request.
async function gzipSiblings(files: readonly BuiltFile[]): Promise<BuiltFile[]> {
  const compressible = files.filter((file) => /\.(js|css)$/.test(file.path));
  return Promise.all(
    compressible.map(async (file) => ({
      path: `${file.path}.gz`,
      contents: await gzipAsync(file.contents, { level: 9 }),
    })),
  );
}

// Old builds leave hashed files behind, so the directory is emptied first. It is deleted only when
// it is empty or holds a previous build (its manifest), never an arbitrary directory passed by mistake.
async function clearOutDir(outDir: string): Promise<void> {
  const entries = await readdir(outDir).catch((error: NodeJS.ErrnoException): string[] => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (entries.length > 0 && !entries.includes(MANIFEST_FILE)) {
    throw new Error(`Refusing to empty ${outDir}: it is not empty and holds no GraphiQL build (${MANIFEST_FILE})`);
  }
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outDir = process.argv[2] ?? defaultAssetsDir;
  const started = performance.now();
  await buildGraphiQL(outDir);
  console.log(`GraphiQL bundle written to ${resolve(outDir)} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
