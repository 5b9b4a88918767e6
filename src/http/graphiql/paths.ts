import { join } from 'node:path';
import { projectRoot } from '../../projectRoot.js';

/** Where `npm run build` puts the GraphiQL bundle, and where the server looks for it by default. */
export const defaultAssetsDir = join(projectRoot, 'dist', 'graphiql');

/**
 * The browser sources are always read from src/: tsc does not compile them (esbuild does), so a
 * build started from the compiled copy of build.ts must still find them here.
 */
export const clientSourceDir = join(projectRoot, 'src', 'http', 'graphiql', 'client');
