/**
 * The small text format the narrative templates render to, so a consultant can reword or restructure
 * a section without code: `# ` `## ` `### ` headings, `- ` list items, blank lines between paragraphs,
 * `**bold**` inside a line. Values from the audit are escaped before they reach a template
 * (escapeMarkup), so an operator named "**x**" or "# y" prints as written.
 */

export interface Inline {
  text: string;
  bold: boolean;
}

export type Block =
  | { type: 'heading'; level: 1 | 2 | 3; inlines: Inline[] }
  | { type: 'paragraph'; inlines: Inline[] }
  | { type: 'list'; items: Inline[][] };

/** Escapes the characters the format gives a meaning to, and folds newlines (a value stays one line). */
export function escapeMarkup(value: string): string {
  return value.replace(/[\\*#-]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/** Splits a line into bold and plain pieces; a backslash makes the next character literal. */
export function parseInlines(line: string): Inline[] {
  const out: Inline[] = [];
  let bold = false;
  let text = '';
  const flush = () => {
    if (text !== '') out.push({ text, bold });
    text = '';
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length) {
      text += line[++i];
    } else if (c === '*' && line[i + 1] === '*') {
      flush();
      bold = !bold;
      i++;
    } else text += c;
  }
  flush();
  return out;
}

/** Parses rendered template text into blocks. Unescaped markers count only at the start of a line. */
export function parseMarkup(source: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let list: Inline[][] | null = null;
  const endParagraph = () => {
    if (paragraph.length > 0) blocks.push({ type: 'paragraph', inlines: parseInlines(paragraph.join(' ')) });
    paragraph = [];
  };
  const endList = () => {
    if (list) blocks.push({ type: 'list', items: list });
    list = null;
  };
  for (const raw of source.split(/\r?\n/)) {
    const line = raw.trim();
    const heading = /^(#{1,3}) (.*)$/.exec(line);
    if (line === '') {
      endParagraph();
      endList();
    } else if (heading) {
      endParagraph();
      endList();
      blocks.push({ type: 'heading', level: heading[1].length as 1 | 2 | 3, inlines: parseInlines(heading[2]) });
    } else if (line.startsWith('- ')) {
      endParagraph();
      list ??= [];
      list.push(parseInlines(line.slice(2)));
    } else if (list && raw.startsWith('  ')) {
      // An indented line continues the list item above it.
      const last = list[list.length - 1];
      last.push({ text: ' ', bold: false }, ...parseInlines(line));
    } else {
      endList();
      paragraph.push(line);
    }
  }
  endParagraph();
  endList();
  return blocks;
}

/** The plain text of inlines (for metadata, bookmarks and alternative text). */
export function plainText(inlines: Inline[]): string {
  return inlines.map((i) => i.text).join('');
}
