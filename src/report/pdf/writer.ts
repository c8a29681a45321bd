import PDFDocument from 'pdfkit';
import { fontBytes, fontName, fontRuns, SCRIPTS, type Script } from './fonts.js';
import { fontSource, installSimpleShaping, rememberFont } from './shaping.js';

/**
 * The page-layout layer on top of pdfkit: text that falls back across fonts per character run, line
 * breaking that knows CJK, paragraphs and tables that continue on the next page (repeating the table
 * header), headings that become bookmarks, named destinations and table-of-contents entries, and tagging:
 * every piece of content is drawn inside a structure element (H1, P, L/LI, Table/TR/TH/TD, Figure, TOC) and
 * decoration is marked as an artifact, so the PDF is tagged for assistive technology.
 *
 * pdfkit closes any open marked content when an artifact starts, so content is always drawn in short
 * closures and decoration only between them.
 */

export type PDFDoc = InstanceType<typeof PDFDocument>;
type StructElement = ReturnType<PDFDoc['struct']>;

export interface Span {
  text: string;
  bold?: boolean;
  color?: string;
  size?: number;
}

export interface TextStyle {
  size: number;
  color: string;
  bold?: boolean;
  /** Line height as a multiple of the font size. */
  leading?: number;
  align?: 'left' | 'right' | 'center';
}

interface Piece {
  text: string;
  script: Script;
  bold: boolean;
  size: number;
  color: string;
  width: number;
}

export interface Line {
  pieces: Piece[];
  width: number;
  height: number;
  size: number;
}

export interface Column {
  header: string;
  /** Share of the table's width (the shares are normalised). */
  width: number;
  align?: 'left' | 'right' | 'center';
}

export interface Cell {
  spans: Span[];
  fill?: string;
  /** A coloured label drawn as a pill instead of text. */
  badge?: { text: string; color: string };
}

export interface TableOptions {
  size?: number;
  zebra?: boolean;
  headerFill?: string;
  headerColor?: string;
  /** Keep a row with this many following rows' worth of space free below the header on a new page. */
  minRowsAfterHeader?: number;
}

export interface HeadingRecord {
  level: number;
  title: string;
  page: number;
  destination: string;
  toc: boolean;
}

export interface WriterColours {
  text: string;
  muted: string;
  rule: string;
  shade: string;
}

/**
 * Break opportunities: spaces; each CJK ideograph or kana on its own (with an opening bracket before it or
 * closing punctuation after it kept attached, so no line starts with "）" or ends with "（"); other runs of
 * text as words.
 */
const CJK = '\\u2E80-\\u9FFF\\uF900-\\uFAFF\\u3000-\\u303F\\uFF00-\\uFFEF';
const TOKEN = new RegExp(`[(\\[「『（]?[${CJK}][)\\]」』）、。，．,.]?|\\s+|[^\\s${CJK}]+`, 'gu');

/**
 * Text widths depend only on the font file, size and text, so they are shared by every report of a run
 * (the operators' PDFs repeat most words). Bounded so a huge run cannot grow it without limit.
 */
const widthCache = new Map<string, number>();
const WIDTH_CACHE_LIMIT = 200_000;

/** Forgets the widths measured so far (a test compares two shaping paths in one process). */
export function forgetWidths(): void {
  widthCache.clear();
}

export class PdfWriter {
  readonly doc: PDFDoc;
  readonly pageWidth: number;
  readonly pageHeight: number;
  readonly left = 56;
  readonly right: number;
  readonly top = 72;
  readonly bottom: number;
  y: number;
  readonly headings: HeadingRecord[] = [];
  readonly root: StructElement;
  private parents: StructElement[] = [];
  private outlineStack: Array<{ level: number; item: PDFKit.PDFOutline }> = [];

  constructor(
    options: { title: string; language: string; info: Record<string, string | Date> },
    readonly colours: WriterColours,
  ) {
    this.doc = new PDFDocument({
      size: 'A4',
      margins: { top: 72, bottom: 64, left: 56, right: 56 },
      pdfVersion: '1.7',
      subset: 'PDF/A-3b',
      tagged: true,
      lang: options.language,
      displayTitle: true,
      bufferPages: true,
      autoFirstPage: false,
      info: options.info as PDFKit.DocumentInfo,
    });
    for (const script of SCRIPTS) {
      for (const weight of ['regular', 'bold'] as const) {
        const name = fontName(script, weight);
        // pdfkit takes a parsed fontkit font as well as bytes (PDFFontFactory.open); its types say bytes.
        this.doc.registerFont(name, fontSource(name, fontBytes(script, weight)) as Buffer);
      }
    }
    this.doc.addPage();
    this.pageWidth = this.doc.page.width;
    this.pageHeight = this.doc.page.height;
    this.right = this.pageWidth - 56;
    this.bottom = this.pageHeight - 64;
    this.y = this.top;
    this.root = this.doc.struct('Document');
    this.doc.addStructure(this.root);
  }

  get width(): number {
    return this.right - this.left;
  }

  get pageIndex(): number {
    return this.doc.bufferedPageRange().count - 1;
  }

  /** The structure element new content goes into. */
  get parent(): StructElement {
    return this.parents[this.parents.length - 1] ?? this.root;
  }

  /** Runs `body` with a new structure element (Sect, L, Table …) as the parent of what it draws. */
  group<T>(
    type: string,
    body: (el: StructElement) => T,
    options: { title?: string; alt?: string; lang?: string } = {},
  ): T {
    const el = this.doc.struct(type, options);
    this.parent.add(el);
    this.parents.push(el);
    try {
      return body(el);
    } finally {
      this.parents.pop();
      el.end();
    }
  }

  /** Draws content into a structure element: the closure is marked content on the current page. */
  tag(el: StructElement, draw: () => void): void {
    el.add(() => draw());
  }

  /** Decoration (rules, backgrounds, page furniture): marked as an artifact, not read aloud. */
  artifact(draw: () => void, type: 'Layout' | 'Pagination' = 'Layout'): void {
    this.doc.markContent('Artifact', { type });
    draw();
    this.doc.endMarkedContent();
  }

  newPage(): void {
    this.doc.addPage();
    this.y = this.top;
  }

  /** Starts a new page unless `height` still fits below the current position. */
  ensure(height: number): void {
    if (this.y + height > this.bottom) this.newPage();
  }

  space(height: number): void {
    this.y += height;
  }

  // ---- text measurement and line breaking --------------------------------------------------------

  private setFont(script: Script, bold: boolean, size: number): void {
    const name = fontName(script, bold ? 'bold' : 'regular');
    this.doc.font(name).fontSize(size);
    // pdfkit keeps the fontkit font of the current font as `font`: parsed once for the process, and for
    // Latin, whose runs are mostly new words (routes, carriers, paths), shaped without fontkit's engine
    // where that gives the same glyphs (shaping.ts).
    const font = (this.doc as { _font?: { font?: unknown } })._font?.font;
    rememberFont(name, font);
    if (script === 'latin') installSimpleShaping(font, name);
  }

  /** Width of text in points, across font runs. */
  measure(text: string, size: number, bold = false): number {
    const key = `${bold ? 'b' : 'r'}${size}\u0000${text}`;
    let width = widthCache.get(key);
    if (width === undefined) {
      width = 0;
      for (const run of fontRuns(text)) {
        this.setFont(run.script, bold, size);
        width += this.doc.widthOfString(run.text);
      }
      if (widthCache.size >= WIDTH_CACHE_LIMIT) widthCache.clear();
      widthCache.set(key, width);
    }
    return width;
  }

  private pieces(text: string, bold: boolean, size: number, color: string): Piece[] {
    return fontRuns(text).map((run) => ({
      text: run.text,
      script: run.script,
      bold,
      size,
      color,
      width: this.measure(run.text, size, bold),
    }));
  }

  /** Breaks spans into lines no wider than `width`. Long words (paths, hashes) break at / # - _ . : or anywhere. */
  layout(spans: Span[], width: number, style: TextStyle): Line[] {
    const leading = style.leading ?? 1.38;
    const lines: Line[] = [];
    let current: Piece[] = [];
    let used = 0;
    const finish = () => {
      while (current.length > 0 && /^\s+$/.test(current[current.length - 1].text)) used -= current.pop()!.width;
      const size = Math.max(style.size, ...current.map((p) => p.size));
      lines.push({ pieces: mergePieces(current), width: used, height: size * leading, size });
      current = [];
      used = 0;
    };
    const add = (token: string, bold: boolean, size: number, color: string) => {
      if (/^\s+$/.test(token)) {
        if (current.length === 0) return;
        const p = this.pieces(' ', bold, size, color);
        current.push(...p);
        used += p.reduce((s, x) => s + x.width, 0);
        return;
      }
      const w = this.measure(token, size, bold);
      if (used + w <= width + 0.01) {
        current.push(...this.pieces(token, bold, size, color));
        used += w;
        return;
      }
      // Wrap to the next line, unless the token is wider than a line, or a long path or hash that reads
      // better broken than leaving half a line empty.
      if (current.length > 0 && w <= width && !(canSplit(token) && w > width * 0.5)) {
        finish();
        add(token, bold, size, color);
        return;
      }
      // Split a long token: take the longest prefix (ending at a break character if possible) that fits.
      // Widths of prefixes are summed per character (kerning ignored) so a long token is not re-measured
      // once per character.
      const chars = [...token];
      let fit = 0;
      let fitAtBreak = 0;
      let prefix = 0;
      for (let i = 1; i <= chars.length; i++) {
        prefix += this.measure(chars[i - 1], size, bold);
        if (used + prefix > width + 0.01) break;
        fit = i;
        if (/[/#\-_.:,]/.test(chars[i - 1])) fitAtBreak = i;
      }
      const take = fitAtBreak > 0 && fitAtBreak >= fit * 0.5 ? fitAtBreak : fit;
      if (take === 0) {
        if (current.length > 0) {
          finish();
          add(token, bold, size, color);
          return;
        }
        // Not even one character fits an empty line: place it anyway rather than loop forever.
        current.push(...this.pieces(chars[0], bold, size, color));
        used += this.measure(chars[0], size, bold);
        finish();
        if (chars.length > 1) add(chars.slice(1).join(''), bold, size, color);
        return;
      }
      const head = chars.slice(0, take).join('');
      current.push(...this.pieces(head, bold, size, color));
      used += this.measure(head, size, bold);
      finish();
      if (take < chars.length) add(chars.slice(take).join(''), bold, size, color);
    };
    for (const span of spans) {
      const bold = span.bold ?? style.bold ?? false;
      const size = span.size ?? style.size;
      const color = span.color ?? style.color;
      const paragraphs = span.text.split('\n');
      paragraphs.forEach((para, i) => {
        if (i > 0) finish();
        for (const token of para.match(TOKEN) ?? []) add(token, bold, size, color);
      });
    }
    if (current.length > 0 || lines.length === 0) finish();
    return lines;
  }

  /** Draws one laid-out line with its top at y. */
  drawLine(line: Line, x: number, y: number, width: number, align: 'left' | 'right' | 'center' = 'left'): void {
    let cx = align === 'right' ? x + width - line.width : align === 'center' ? x + (width - line.width) / 2 : x;
    const baseline = y + line.size * 1.02;
    for (const p of line.pieces) {
      this.setFont(p.script, p.bold, p.size);
      this.doc.fillColor(p.color).text(p.text, cx, baseline, { lineBreak: false, baseline: 'alphabetic' });
      cx += p.width;
    }
  }

  /** Draws lines at a fixed place (no page breaks): labels inside charts and diagrams. Returns the height used. */
  drawTextAt(spans: Span[], x: number, y: number, width: number, style: TextStyle): number {
    let cy = y;
    for (const line of this.layout(spans, width, style)) {
      this.drawLine(line, x, cy, width, style.align);
      cy += line.height;
    }
    return cy - y;
  }

  textHeight(spans: Span[], width: number, style: TextStyle): number {
    return this.layout(spans, width, style).reduce((s, l) => s + l.height, 0);
  }

  /**
   * A paragraph in structure element `type` (P, H1, LBody …) at x with the given width, continuing on the
   * next page when it runs past the bottom margin. Returns the element.
   */
  paragraph(
    spans: Span[],
    style: TextStyle,
    options: { type?: string; x?: number; width?: number; after?: number; parent?: StructElement } = {},
  ): StructElement {
    const x = options.x ?? this.left;
    const width = options.width ?? this.right - x;
    const el = this.doc.struct(options.type ?? 'P');
    (options.parent ?? this.parent).add(el);
    this.flowLines(el, this.layout(spans, width, style), x, width, style.align);
    el.end();
    this.y += options.after ?? style.size * 0.6;
    return el;
  }

  /** Draws lines into an element page by page. */
  private flowLines(
    el: StructElement,
    lines: Line[],
    x: number,
    width: number,
    align?: 'left' | 'right' | 'center',
  ): void {
    let i = 0;
    while (i < lines.length) {
      if (this.y + lines[i].height > this.bottom) this.newPage();
      const start = i;
      let h = 0;
      while (i < lines.length && this.y + h + lines[i].height <= this.bottom) h += lines[i++].height;
      if (i === start) {
        h = lines[i].height;
        i++;
      }
      // No single line of a paragraph alone at the foot or the head of a page (orphans and widows).
      const taken = i - start;
      const left = lines.length - i;
      if (left > 0 && taken === 1 && start === 0 && lines.length > 2 && this.y > this.top + 1) {
        this.newPage();
        i = start;
        continue;
      }
      if (left === 1 && taken > 2) {
        i--;
        h -= lines[i].height;
      }
      const y0 = this.y;
      this.tag(el, () => {
        let cy = y0;
        for (const line of lines.slice(start, i)) {
          this.drawLine(line, x, cy, width, align);
          cy += line.height;
        }
      });
      this.y += h;
    }
  }

  /** A bulleted list (L > LI > Lbl + LBody). */
  bullets(items: Span[][], style: TextStyle, options: { bulletColor?: string; indent?: number } = {}): void {
    const indent = options.indent ?? 14;
    this.group('L', (list) => {
      for (const item of items) {
        const lines = this.layout(item, this.width - indent, style);
        this.ensure(lines[0].height);
        const li = this.doc.struct('LI');
        list.add(li);
        const lbl = this.doc.struct('Lbl');
        li.add(lbl);
        const y0 = this.y;
        this.tag(lbl, () => {
          this.setFont('latin', false, style.size);
          this.doc
            .fillColor(options.bulletColor ?? style.color)
            .text('•', this.left + 3, y0 + style.size * 1.02, { lineBreak: false, baseline: 'alphabetic' });
        });
        lbl.end();
        const body = this.doc.struct('LBody');
        li.add(body);
        this.flowLines(body, lines, this.left + indent, this.width - indent, 'left');
        body.end();
        li.end();
        this.y += style.size * 0.3;
      }
    });
    this.y += style.size * 0.4;
  }

  /**
   * A heading: structure element H1–H3, a named destination for links, a bookmark nested by level and,
   * when `toc`, an entry for the table of contents. Kept with the next `keep` points of content.
   */
  heading(
    level: 1 | 2 | 3,
    spans: Span[],
    style: TextStyle,
    options: {
      toc?: boolean;
      keep?: number;
      destination: string;
      bookmark?: string;
      outline?: boolean;
      newPage?: boolean;
    },
  ): void {
    if (options.newPage) this.newPage();
    const lines = this.layout(spans, this.width, style);
    const height = lines.reduce((s, l) => s + l.height, 0);
    this.ensure(height + (options.keep ?? 60));
    const title = options.bookmark ?? spans.map((s) => s.text).join('');
    this.doc.addNamedDestination(options.destination, 'XYZ', null, this.y - 6, null);
    if (options.outline !== false) {
      while (this.outlineStack.length > 0 && this.outlineStack[this.outlineStack.length - 1].level >= level)
        this.outlineStack.pop();
      const outlineParent =
        this.outlineStack.length > 0 ? this.outlineStack[this.outlineStack.length - 1].item : this.doc.outline;
      const item = outlineParent.addItem(title);
      this.outlineStack.push({ level, item });
    }
    this.headings.push({
      level,
      title,
      page: this.pageIndex,
      destination: options.destination,
      toc: options.toc ?? level <= 2,
    });
    const el = this.doc.struct(`H${level}`);
    this.parent.add(el);
    this.flowLines(el, lines, this.left, this.width, style.align);
    el.end();
    this.y += style.size * 0.45;
  }

  /** A horizontal rule (decoration). */
  rule(color = this.colours.rule, width = 0.6): void {
    const y = this.y;
    this.artifact(() => {
      this.doc.save().moveTo(this.left, y).lineTo(this.right, y).lineWidth(width).strokeColor(color).stroke().restore();
    });
  }

  /**
   * A figure of known height drawn by `draw(x, y)`; its alternative text says in words what it shows.
   */
  figure(alt: string, height: number, draw: (x: number, y: number) => void): void {
    this.ensure(height);
    const y0 = this.y;
    const el = this.doc.struct('Figure', { alt });
    this.parent.add(el);
    this.tag(el, () => draw(this.left, y0));
    el.end();
    this.y += height;
  }

  /** A block of custom drawing kept on one page, tagged as `type` (Div, Code …). */
  block(
    type: string,
    height: number,
    draw: (x: number, y: number) => void,
    options: { alt?: string; background?: (x: number, y: number) => void } = {},
  ): void {
    this.ensure(height);
    const y0 = this.y;
    if (options.background) this.artifact(() => options.background!(this.left, y0));
    const el = this.doc.struct(type, options.alt ? { alt: options.alt } : {});
    this.parent.add(el);
    this.tag(el, () => draw(this.left, y0));
    el.end();
    this.y += height;
  }

  // ---- tables ---------------------------------------------------------------------------------------

  /**
   * A table whose rows continue on the next page, repeating the header row there (as an artifact, so a
   * screen reader hears it once). A row taller than the space left moves to the next page, and one taller
   * than a whole page is split line by line: no row is ever cut off.
   */
  table(columns: Column[], rows: Cell[][], options: TableOptions = {}): void {
    const size = options.size ?? 8;
    const pad = 3.5;
    const total = columns.reduce((s, c) => s + c.width, 0);
    const widths = columns.map((c) => (c.width / total) * this.width);
    const xs = widths.map((_, i) => this.left + widths.slice(0, i).reduce((s, w) => s + w, 0));
    const style: TextStyle = { size, color: this.colours.text, leading: 1.3 };
    const headerStyle: TextStyle = { size, color: options.headerColor ?? '#FFFFFF', bold: true, leading: 1.3 };
    const headerLines = columns.map((c, i) => this.layout([{ text: c.header }], widths[i] - 2 * pad, headerStyle));
    const headerHeight = Math.max(...headerLines.map((ls) => ls.reduce((s, l) => s + l.height, 0))) + 2 * pad;

    const drawHeader = (tagged: StructElement | null) => {
      const y0 = this.y;
      this.artifact(() =>
        this.doc
          .save()
          .rect(this.left, y0, this.width, headerHeight)
          .fill(options.headerFill ?? this.colours.text)
          .restore(),
      );
      const draw = () => {
        columns.forEach((c, i) => {
          let cy = y0 + pad;
          for (const line of headerLines[i]) {
            this.drawLine(line, xs[i] + pad, cy, widths[i] - 2 * pad, c.align);
            cy += line.height;
          }
        });
      };
      if (tagged) {
        const tr = this.doc.struct('TR');
        tagged.add(tr);
        columns.forEach((c, i) => {
          const th = this.doc.struct('TH');
          tr.add(th);
          this.tag(th, () => {
            let cy = y0 + pad;
            for (const line of headerLines[i]) {
              this.drawLine(line, xs[i] + pad, cy, widths[i] - 2 * pad, c.align);
              cy += line.height;
            }
          });
          th.end();
        });
        tr.end();
      } else this.artifact(draw, 'Pagination');
      this.y += headerHeight;
    };

    this.group('Table', (table) => {
      const firstRow = rows[0] ? this.rowHeight(rows[0], widths, style, pad) : 0;
      this.ensure(headerHeight + Math.min(firstRow, 120) * (options.minRowsAfterHeader ?? 1));
      drawHeader(table);
      rows.forEach((row, r) => {
        const cellLines = row.map((cell, i) => (cell.badge ? [] : this.layout(cell.spans, widths[i] - 2 * pad, style)));
        const badgeHeight = size * 1.3 + 2;
        const heightOf = (lines: Line[][]) =>
          Math.max(badgeHeight, ...lines.map((ls) => ls.reduce((s, l) => s + l.height, 0))) + 2 * pad;
        let remaining = cellLines;
        const tr = this.doc.struct('TR');
        table.add(tr);
        const tds = row.map(() => {
          const td = this.doc.struct('TD');
          tr.add(td);
          return td;
        });
        let first = true;
        while (first || remaining.some((ls) => ls.length > 0)) {
          let rowHeight = heightOf(remaining);
          if (this.y + rowHeight > this.bottom) {
            const fresh = this.bottom - this.top - headerHeight;
            if (rowHeight <= fresh || this.y > this.top + headerHeight + 1) {
              this.newPage();
              drawHeader(null);
            }
          }
          // What fits now: every cell's lines up to the space left on this page.
          const room = this.bottom - this.y - 2 * pad;
          const now = remaining.map((ls) => {
            const taken: Line[] = [];
            let h = 0;
            for (const l of ls) {
              if (h + l.height > room && taken.length > 0) break;
              taken.push(l);
              h += l.height;
            }
            return taken;
          });
          rowHeight = heightOf(now);
          const y0 = this.y;
          const fill =
            row.find((c) => c.fill)?.fill ?? (options.zebra !== false && r % 2 === 1 ? this.colours.shade : undefined);
          this.artifact(() => {
            if (fill) this.doc.save().rect(this.left, y0, this.width, rowHeight).fill(fill).restore();
            this.doc
              .save()
              .moveTo(this.left, y0 + rowHeight)
              .lineTo(this.right, y0 + rowHeight)
              .lineWidth(0.4)
              .strokeColor(this.colours.rule)
              .stroke()
              .restore();
          });
          row.forEach((cell, i) => {
            if (cell.badge && first) {
              const badge = cell.badge;
              this.tag(tds[i], () => this.drawBadge(badge.text, badge.color, xs[i] + pad, y0 + pad, size - 0.5));
              return;
            }
            if (now[i].length === 0) return;
            this.tag(tds[i], () => {
              let cy = y0 + pad;
              for (const line of now[i]) {
                this.drawLine(line, xs[i] + pad, cy, widths[i] - 2 * pad, columns[i].align);
                cy += line.height;
              }
            });
          });
          remaining = remaining.map((ls, i) => ls.slice(now[i].length));
          this.y += rowHeight;
          first = false;
        }
        for (const td of tds) td.end();
        tr.end();
      });
    });
    this.y += 8;
  }

  private rowHeight(row: Cell[], widths: number[], style: TextStyle, pad: number): number {
    return (
      Math.max(
        style.size * 1.3 + 2,
        ...row.map((c, i) => (c.badge ? 0 : this.textHeight(c.spans, widths[i] - 2 * pad, style))),
      ) +
      2 * pad
    );
  }

  /** A rounded label with white bold text; returns its width. */
  drawBadge(text: string, color: string, x: number, y: number, size: number): number {
    const w = this.measure(text, size, true) + size * 1.1;
    const h = size * 1.45;
    this.doc
      .save()
      .roundedRect(x, y, w, h, h / 2)
      .fill(color)
      .restore();
    const line = this.layout([{ text, color: '#FFFFFF', bold: true }], w, { size, color: '#FFFFFF', bold: true })[0];
    this.drawLine(line, x + size * 0.55, y + (h - size * 1.35) / 2 - size * 0.02, w);
    return w;
  }

  /** Page furniture for every page but the first (the cover): drawn last, when the page count is known. */
  furniture(draw: (page: number, pages: number) => void): void {
    const { start, count } = this.doc.bufferedPageRange();
    for (let i = start; i < start + count; i++) {
      this.doc.switchToPage(i);
      this.artifact(() => draw(i, count), 'Pagination');
    }
  }

  /** Goes to a page already drawn (the reserved table-of-contents page) to draw on it. */
  switchTo(page: number, y: number): void {
    this.doc.switchToPage(page);
    this.y = y;
  }

  /** A clickable link area to a named destination, tied to the Link structure element. */
  linkTo(el: StructElement, x: number, y: number, w: number, h: number, destination: string): void {
    this.doc.goTo(x, y, w, h, destination, { structParent: el } as never);
  }

  async finish(): Promise<Buffer> {
    const chunks: Buffer[] = [];
    this.doc.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise<void>((resolve, reject) => {
      this.doc.on('end', () => resolve());
      this.doc.on('error', reject);
    });
    this.root.end();
    this.doc.end();
    await done;
    return Buffer.concat(chunks);
  }
}

/** Joins neighbouring pieces in the same font and style, so a line is drawn in a few text operations. */
function mergePieces(pieces: Piece[]): Piece[] {
  const out: Piece[] = [];
  for (const p of pieces) {
    const last = out[out.length - 1];
    if (last && last.script === p.script && last.bold === p.bold && last.size === p.size && last.color === p.color) {
      last.text += p.text;
      last.width += p.width;
    } else out.push({ ...p });
  }
  return out;
}

function canSplit(token: string): boolean {
  return /[/#_.:]/.test(token) && token.length > 24;
}
