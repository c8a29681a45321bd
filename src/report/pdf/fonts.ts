import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Fonts for the PDF: Noto Sans for Latin (including the macrons of Māori names), then Noto Sans JP, KR and
 * SC for the CJK names that appear in operator and carrier names. The TTFs come from npm packages
 * (@expo-google-fonts/*), resolved through Node's module resolution, never downloaded at run time; pdfkit
 * embeds only the glyphs used (subsetting).
 *
 * pdfkit draws a string in one font and shows an empty box for a missing glyph, so text is split into runs,
 * each in the first font of the fallback order that has every character of the run.
 */

export const SCRIPTS = ['latin', 'jp', 'kr', 'sc'] as const;
export type Script = (typeof SCRIPTS)[number];
export type Weight = 'regular' | 'bold';

const require = createRequire(import.meta.url);

const FILES: Record<Script, Record<Weight, string>> = {
  latin: {
    regular: '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf',
    bold: '@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf',
  },
  jp: {
    regular: '@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf',
    bold: '@expo-google-fonts/noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf',
  },
  kr: {
    regular: '@expo-google-fonts/noto-sans-kr/400Regular/NotoSansKR_400Regular.ttf',
    bold: '@expo-google-fonts/noto-sans-kr/700Bold/NotoSansKR_700Bold.ttf',
  },
  sc: {
    regular: '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
    bold: '@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf',
  },
};

/** The name a font is registered under in a pdfkit document. */
export function fontName(script: Script, weight: Weight): string {
  return `${script}-${weight}`;
}

/** Where a font file is installed, found the way Node finds a module (no hard-coded node_modules path). */
export function fontPath(script: Script, weight: Weight): string {
  return require.resolve(FILES[script][weight]);
}

// Font files are large (5–10 MB for CJK): read each once per process and share the bytes between reports.
const bytesCache = new Map<string, Buffer>();
export function fontBytes(script: Script, weight: Weight): Buffer {
  const path = fontPath(script, weight);
  let bytes = bytesCache.get(path);
  if (!bytes) {
    bytes = readFileSync(path);
    bytesCache.set(path, bytes);
  }
  return bytes;
}

interface FontkitFont {
  characterSet: number[];
}
// fontkit is pdfkit's own font engine; resolving it from pdfkit's location uses the exact copy pdfkit uses.
const fontkit = createRequire(require.resolve('pdfkit'))('fontkit') as { create(buffer: Buffer): FontkitFont };

/** Code points each script's font can draw. Regular and bold cover the same characters, so regular stands for both. */
export type Coverage = Record<Script, ReadonlySet<number>>;

let coverageCache: Coverage | undefined;
export function fontCoverage(): Coverage {
  if (!coverageCache) {
    const entries = SCRIPTS.map((s) => [s, new Set(fontkit.create(fontBytes(s, 'regular')).characterSet)] as const);
    coverageCache = Object.fromEntries(entries) as unknown as Coverage;
  }
  return coverageCache;
}

export interface FontRun {
  script: Script;
  text: string;
}

/**
 * Splits text into runs that one font can draw. Characters the Latin font has stay Latin. A stretch of
 * other characters (a Japanese, Korean or Chinese name) takes the first font in the order JP → KR → SC that
 * has all of them, so one name is not drawn in two styles; only when no font has the whole stretch does each
 * character fall back on its own. A character no font has stays in the Latin run (drawn as .notdef), so
 * nothing is silently dropped.
 */
export function fontRuns(text: string, coverage: Coverage = fontCoverage()): FontRun[] {
  const runs: FontRun[] = [];
  const push = (script: Script, chunk: string) => {
    if (chunk === '') return;
    const last = runs[runs.length - 1];
    if (last && last.script === script) last.text += chunk;
    else runs.push({ script, text: chunk });
  };
  const chars = [...text];
  let i = 0;
  while (i < chars.length) {
    const latin = coverage.latin.has(chars[i].codePointAt(0)!);
    let j = i;
    while (j < chars.length && coverage.latin.has(chars[j].codePointAt(0)!) === latin) j++;
    const stretch = chars.slice(i, j);
    if (latin) push('latin', stretch.join(''));
    else {
      const whole = SCRIPTS.find((s) => s !== 'latin' && stretch.every((c) => coverage[s].has(c.codePointAt(0)!)));
      if (whole) push(whole, stretch.join(''));
      else for (const c of stretch) push(SCRIPTS.find((s) => coverage[s].has(c.codePointAt(0)!)) ?? 'latin', c);
    }
    i = j;
  }
  return runs;
}
