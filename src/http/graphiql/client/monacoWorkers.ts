import type { MonacoWorkerUrls } from '../pageConfig.js';

// Monaco runs its language services in web workers and asks the page for them through
// `globalThis.MonacoEnvironment.getWorker`. graphiql's own `setup-workers/*` modules either load the
// workers from esm.sh or rely on a bundler's `?worker` import syntax; esbuild has neither, so build.ts
// bundles each worker into its own same-origin file and the page passes their URLs in.
// Classic (non-module) workers: build.ts emits them as IIFE bundles, which every browser runs.
export function installMonacoWorkers(urls: MonacoWorkerUrls): void {
  const environment: MonacoEnvironment = {
    getWorker(_workerId, label) {
      switch (label) {
        case 'json':
          return new Worker(urls.json, { name: label });
        case 'graphql':
          return new Worker(urls.graphql, { name: label });
        default:
          // 'editorWorkerService' and any language we did not bundle fall back to the generic worker.
          return new Worker(urls.editor, { name: label });
      }
    },
  };
  Object.assign(globalThis, { MonacoEnvironment: environment });
}

interface MonacoEnvironment {
  getWorker(workerId: string, label: string): Worker;
}
