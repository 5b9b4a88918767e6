import type { AssetManifest } from './manifest.js';
import { PAGE_CONFIG_ELEMENT_ID, PAGE_ROOT_ELEMENT_ID, type GraphiQLPageConfig } from './pageConfig.js';

/**
 * The page may load code and data from its own origin only. Scripts come solely from the bundle
 * (the config travels as inert JSON, not as an inline script). Styles need 'unsafe-inline' because
 * Monaco writes its theme and decorations into <style> elements at run time and has no nonce
 * support; Monaco's stylesheet also uses a few small data: images.
 */
export const PAGE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface PageContent {
  readonly title: string;
  /** URL path prefix the assets are served under, ending in `/`. */
  readonly assetsPath: string;
  readonly manifest: AssetManifest;
  readonly config: Omit<GraphiQLPageConfig, 'workers'>;
}

export function renderPage({ title, assetsPath, manifest, config }: PageContent): string {
  const pageConfig: GraphiQLPageConfig = {
    ...config,
    workers: {
      editor: assetsPath + manifest.workers.editor,
      json: assetsPath + manifest.workers.json,
      graphql: assetsPath + manifest.workers.graphql,
    },
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${escapeHtml(assetsPath + manifest.style)}">
<script type="module" src="${escapeHtml(assetsPath + manifest.script)}"></script>
</head>
<body>
<div id="${PAGE_ROOT_ELEMENT_ID}"><noscript>GraphiQL needs JavaScript.</noscript></div>
<script type="application/json" id="${PAGE_CONFIG_ELEMENT_ID}">${jsonForScriptElement(pageConfig)}</script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

// Inside <script> the HTML parser ends the element at the first `</script` and treats `<!--` specially,
// whatever the JSON means, so `<` (and `>`, `&` for good measure) are written as JSON escapes, which
// JSON.parse reads back unchanged. U+2028/U+2029 are escaped too so the text is also valid JavaScript.
function jsonForScriptElement(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
