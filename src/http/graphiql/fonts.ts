import { createHash } from 'node:crypto';

export interface ExtractedFont {
  /** Path relative to the stylesheet, e.g. `fonts/3f2a….woff2`. */
  readonly path: string;
  readonly contents: Uint8Array;
}

// graphiql's stylesheet inlines every font (Roboto and Fira Code in all their unicode-range subsets,
// Monaco's codicons) as base64 data URLs: about 0.5 MB of CSS the browser must parse before it can
// paint, most of it subsets no page ever uses. As separate files the browser downloads only the
// subsets a page needs, caches them, and the Content-Security-Policy can say `font-src 'self'`.
const INLINE_FONT = /url\((["']?)data:font\/([a-z0-9.+-]+);base64,([A-Za-z0-9+/=]+)\1\)/g;

const EXTENSIONS: Readonly<Record<string, string>> = {
  woff2: 'woff2',
  woff: 'woff',
  ttf: 'ttf',
  otf: 'otf',
};

/** Moves every inline base64 font of `css` into its own content-addressed file under `fonts/`. */
export function extractInlineFonts(css: string): { css: string; fonts: ExtractedFont[] } {
  const fonts = new Map<string, ExtractedFont>();
  const rewritten = css.replace(INLINE_FONT, (match, _quote: string, subtype: string, base64: string) => {
    const extension = EXTENSIONS[subtype];
    if (extension === undefined) return match;
    const contents = Buffer.from(base64, 'base64');
    const hash = createHash('sha256').update(contents).digest('hex').slice(0, 16);
    const path = `fonts/${hash}.${extension}`;
    fonts.set(path, { path, contents });
    return `url(${path})`;
  });
  return { css: rewritten, fonts: [...fonts.values()] };
}
