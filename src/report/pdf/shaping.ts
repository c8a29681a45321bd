/**
 * Font work shared by the words and documents of a process: parsed fonts, and shaping of plain ASCII
 * words without fontkit's OpenType engine.
 *
 * Every PDF of a sector run embeds the same eight font files, and fontkit decodes a font's tables (cmap,
 * GSUB, GPOS …) again for each document that registers its bytes. A document now gets the font an earlier
 * one parsed from the same file, with its glyph objects forgotten, so what one document draws cannot
 * change the bytes of the next (a glyph keeps the code points of the text it was first made for).
 *
 * pdfkit lays every new word out with fontkit (GSUB and GPOS lookups), about 0.3 ms a word; a report names
 * thousands of distinct routes, carriers and paths, so shaping was most of a PDF's time. For Noto Sans and
 * printable ASCII the engine does two things only: it maps each character to its glyph and kerns adjacent
 * pairs (it changes the first glyph's advance), and it forms the ligatures ff, fi and fl. So a word's glyphs
 * and positions follow from its characters and pairs, each shaped once by fontkit itself and remembered
 * for the whole process. Anything else falls back to fontkit: a character outside 0x20–0x7E, a pair that
 * fontkit does not shape as two glyphs with the second untouched (a ligature), features asked for.
 * test/pdf-shaping.test.ts holds the result equal to fontkit's on random text and a report's bytes equal
 * with `simpleShaping.enabled` off.
 */

interface Glyph {
  id: number;
  codePoints: number[];
  advanceWidth: number;
}

interface Position {
  xAdvance: number;
  yAdvance: number;
  xOffset: number;
  yOffset: number;
}

/** What pdfkit reads of a fontkit glyph run. */
export interface ShapedRun {
  glyphs: Glyph[];
  positions: Position[];
  readonly advanceWidth: number;
}

/** The part of a fontkit font this module uses. */
export interface ShapingFont {
  layout(text: string, features?: unknown, script?: string, ...rest: unknown[]): ShapedRun;
  getGlyph(id: number, codePoints?: number[]): Glyph;
}

/**
 * Internal switch, not a user option: with `enabled` false every document parses its fonts and every word
 * is shaped by fontkit, to compare the plain path with this one (the bytes must be the same). Read per
 * word and per document.
 */
export const simpleShaping = { enabled: true };

const FIRST = 0x20;
const LAST = 0x7e;
const CHARS = LAST - FIRST + 1;
/** fontkit shapes a run in the script of its first letter; text without letters is Common ('zzzz'). */
const SCRIPTS = ['latn', 'zzzz'] as const;

const UNKNOWN = -1;
/** A character fontkit does not shape as one plain glyph. */
const COMPLEX = -2;
/** The advance of a pair fontkit does more to than kern it (a ligature); unknown pairs are NaN. */
const NOT_KERNED = Number.NEGATIVE_INFINITY;

/**
 * One font file's characters and pairs as fontkit shapes them, filled in as they are met. Shared by every
 * document of the process that embeds the same file (the fonts' bytes are read once, see fonts.ts).
 */
export class AsciiMetrics {
  /** Glyph id per (script, character); UNKNOWN until shaped, COMPLEX when not reproducible. */
  private readonly glyphs = new Int32Array(SCRIPTS.length * CHARS).fill(UNKNOWN);
  /** Advance of a character at the end of a run, per (script, character). */
  private readonly lastAdvance = new Float64Array(SCRIPTS.length * CHARS);
  /** Advance of a character followed by another (kerning included), per (script, first, second); NaN unknown. */
  private readonly pairAdvance = new Float64Array(SCRIPTS.length * CHARS * CHARS).fill(Number.NaN);

  glyph(shape: ShapingFont['layout'], script: number, code: number): number {
    const at = script * CHARS + code - FIRST;
    let id = this.glyphs[at];
    if (id === UNKNOWN) {
      const run = shape(String.fromCharCode(code), undefined, SCRIPTS[script]);
      const p = run.positions[0];
      const plain = run.glyphs.length === 1 && p.yAdvance === 0 && p.xOffset === 0 && p.yOffset === 0;
      id = plain ? run.glyphs[0].id : COMPLEX;
      this.glyphs[at] = id;
      this.lastAdvance[at] = plain ? p.xAdvance : 0;
    }
    return id;
  }

  advanceAtEnd(script: number, code: number): number {
    return this.lastAdvance[script * CHARS + code - FIRST];
  }

  /** The first character's advance before the second, or NaN when fontkit does more to the pair than kern it. */
  pair(shape: ShapingFont['layout'], script: number, first: number, second: number): number {
    const at = (script * CHARS + first - FIRST) * CHARS + second - FIRST;
    let advance = this.pairAdvance[at];
    if (Number.isNaN(advance)) {
      const a = this.glyph(shape, script, first);
      const b = this.glyph(shape, script, second);
      const run = shape(String.fromCharCode(first, second), undefined, SCRIPTS[script]);
      const [p, q] = run.positions;
      const kerned =
        a >= 0 &&
        b >= 0 &&
        run.glyphs.length === 2 &&
        run.glyphs[0].id === a &&
        run.glyphs[1].id === b &&
        p.yAdvance === 0 &&
        p.xOffset === 0 &&
        p.yOffset === 0 &&
        q.xAdvance === this.advanceAtEnd(script, second) &&
        q.yAdvance === 0 &&
        q.xOffset === 0 &&
        q.yOffset === 0;
      advance = kerned ? p.xAdvance : NOT_KERNED;
      this.pairAdvance[at] = advance;
    }
    return advance === NOT_KERNED ? Number.NaN : advance;
  }
}

class Run implements ShapedRun {
  constructor(
    readonly glyphs: Glyph[],
    readonly positions: Position[],
  ) {}

  /** As fontkit's GlyphRun: the sum of the advances as they are now (pdfkit scales them after layout). */
  get advanceWidth(): number {
    let width = 0;
    for (const p of this.positions) width += p.xAdvance;
    return width;
  }
}

function isLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** fontkit's result for `text`, worked out from its characters and pairs; undefined when this module cannot. */
export function shapeSimply(
  font: ShapingFont,
  shape: ShapingFont['layout'],
  metrics: AsciiMetrics,
  text: string,
): ShapedRun | undefined {
  const n = text.length;
  if (n === 0) return undefined;
  let script = 1;
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    if (code < FIRST || code > LAST) return undefined;
    if (script === 1 && isLetter(code)) script = 0;
  }
  const glyphs: Glyph[] = new Array(n);
  const positions: Position[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    const id = metrics.glyph(shape, script, code);
    if (id < 0) return undefined;
    const xAdvance =
      i + 1 < n ? metrics.pair(shape, script, code, text.charCodeAt(i + 1)) : metrics.advanceAtEnd(script, code);
    if (Number.isNaN(xAdvance)) return undefined;
    // As fontkit maps a character: the glyph object it keeps per id, made with this code point if new.
    glyphs[i] = font.getGlyph(id, [code]);
    positions[i] = { xAdvance, yAdvance: 0, xOffset: 0, yOffset: 0 };
  }
  return new Run(glyphs, positions);
}

const metricsByFile = new Map<string, AsciiMetrics>();
const installed = new WeakSet<object>();

/** Metrics of one font file, by the name it is registered under (one name, one file: see fonts.ts). */
function metricsFor(fontFile: string): AsciiMetrics {
  let metrics = metricsByFile.get(fontFile);
  if (!metrics) metricsByFile.set(fontFile, (metrics = new AsciiMetrics()));
  return metrics;
}

function isShapingFont(font: unknown): font is ShapingFont {
  const f = font as Partial<ShapingFont> | undefined;
  return typeof f?.layout === 'function' && typeof f.getGlyph === 'function';
}

/**
 * Puts the simple path in front of one fontkit font's `layout` (the object pdfkit embeds in a document).
 * Calls with features, a script or glyphs instead of text go to fontkit unchanged.
 */
export function installSimpleShaping(font: unknown, fontFile: string): void {
  if (!isShapingFont(font) || installed.has(font)) return;
  installed.add(font);
  const shape = font.layout.bind(font);
  const metrics = metricsFor(fontFile);
  font.layout = (text, features, ...rest) =>
    (simpleShaping.enabled && typeof text === 'string' && features === undefined && rest.length === 0
      ? shapeSimply(font, shape, metrics, text)
      : undefined) ?? shape(text, features, ...rest);
}

const parsedFonts = new Map<string, ShapingFont>();

/**
 * What a document registers a font file as: the font an earlier document of the process parsed from it,
 * its glyph objects forgotten; the file's bytes the first time (or with the switch off). Documents are
 * drawn one after another, so forgetting the glyphs never happens under one still being drawn.
 */
export function fontSource(fontFile: string, bytes: Buffer): Buffer | ShapingFont {
  const font = simpleShaping.enabled ? parsedFonts.get(fontFile) : undefined;
  if (!font) return bytes;
  (font as { _glyphs?: object })._glyphs = {};
  return font;
}

/** Keeps the font a document parsed from a file for the next documents (fontkit fonts keep glyphs in `_glyphs`). */
export function rememberFont(fontFile: string, font: unknown): void {
  if (!simpleShaping.enabled || parsedFonts.has(fontFile) || !isShapingFont(font) || !('_glyphs' in font)) return;
  parsedFonts.set(fontFile, font);
}
