import fc from 'fast-check';
import PDFDocument from 'pdfkit';
import { afterEach, describe, expect, it } from 'vitest';
import { fontBytes, fontName } from '../src/report/pdf/fonts.js';
import { renderOperatorPdf } from '../src/report/pdf/index.js';
import { AsciiMetrics, type ShapingFont, shapeSimply, simpleShaping } from '../src/report/pdf/shaping.js';
import { loadTemplates } from '../src/report/pdf/templates.js';
import { forgetWidths } from '../src/report/pdf/writer.js';
import { presentationOf } from '../src/report/view/index.js';
import { auditReport } from './support/audit.js';
import { REGULATOR } from './support/run.js';

/** The fontkit font pdfkit embeds for one of the report's Latin fonts (as PdfWriter reaches it). */
function latinFont(weight: 'regular' | 'bold'): ShapingFont {
  const doc = new PDFDocument({ autoFirstPage: false });
  doc.registerFont(fontName('latin', weight), fontBytes('latin', weight));
  doc.font(fontName('latin', weight));
  return (doc as unknown as { _font: { font: ShapingFont } })._font.font;
}

/** What pdfkit reads of a run, as plain data. */
function shaped(run: {
  glyphs: Array<{ id: number; codePoints: number[] }>;
  positions: object[];
  advanceWidth: number;
}) {
  return {
    glyphs: run.glyphs.map((g) => [g.id, [...g.codePoints]]),
    positions: run.positions.map((p) => ({ ...p })),
    advanceWidth: run.advanceWidth,
  };
}

// The characters a report's words are made of, weighted towards those that kern or form ligatures.
const CHARS = [
  ...Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)),
  ...'AVTWYfffiillLPo.,-/',
];

describe('PDF text shaping without the OpenType engine (src/report/pdf/shaping.ts)', () => {
  afterEach(() => {
    simpleShaping.enabled = true;
  });

  for (const weight of ['regular', 'bold'] as const) {
    it(`gives fontkit's glyphs and positions for ASCII text (${weight}), or leaves the text to it`, () => {
      const font = latinFont(weight);
      const shape = font.layout.bind(font);
      const metrics = new AsciiMetrics();
      const words = ['RoutingTable/rt-bench#route-012345 ', 'ICX-ENC-01', 'AV To. ', 'Wa', 'LTE 12,345', '  '];
      for (const text of words) expect(shaped(shapeSimply(font, shape, metrics, text)!)).toEqual(shaped(shape(text)));
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...CHARS), { minLength: 1, maxLength: 40 }), (chars) => {
          const text = chars.join('');
          const simple = shapeSimply(font, shape, metrics, text);
          // Only a ligature (ff, fi, fl in Noto Sans) sends printable ASCII back to fontkit.
          if (simple === undefined) expect(text).toMatch(/f[fil]/);
          else expect(shaped(simple)).toEqual(shaped(shape(text)));
        }),
        { numRuns: 300 },
      );
      expect(shapeSimply(font, shape, metrics, 'Māori')).toBeUndefined();
      expect(shapeSimply(font, shape, metrics, 'office')).toBeUndefined();
    });
  }

  it("writes the samples' operator PDFs byte for byte as parsing and shaping each anew would", async () => {
    const presentation = presentationOf(auditReport(['inputs'], REGULATOR));
    const [first, second] = presentation.operators;
    const render = async (enabled: boolean, operator: typeof first) => {
      simpleShaping.enabled = enabled;
      forgetWidths();
      return renderOperatorPdf(presentation, operator, loadTemplates());
    };
    const plain = await render(false, second);
    // The second document takes the fonts the first parsed (its glyphs forgotten) and the pairs it shaped.
    await render(true, first);
    const shared = await render(true, second);
    expect(shared.length).toBeGreaterThan(10_000);
    expect(shared.equals(plain)).toBe(true);
  });
});
