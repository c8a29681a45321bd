/**
 * Sanitisers for text that comes from submissions (operator and carrier names, ids, file names, messages)
 * on its way into an output. Submissions are written by the audited party, so a name may carry bytes
 * that break a file format (XML 1.0 forbidden characters make Excel refuse a workbook) or that a
 * terminal obeys (escape sequences clearing the screen, a newline forging an error line, bidi overrides
 * reversing what is read). Such characters are shown visibly as `\uXXXX`, never dropped silently, so the
 * reader sees that the input held them; findings.json keeps the exact text.
 */
import type { Diagnostic } from './types.js';

/** `\u202e` for U+202E: one UTF-16 code unit, four lowercase hex digits. */
function visible(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

// The regexes run over UTF-16 code units (no `u` flag), so a lone surrogate can be matched on its own.
const LONE_SURROGATE = '[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';

/** What XML 1.0 forbids (its Char production): C0 controls except tab, LF, CR; lone surrogates; U+FFFE, U+FFFF. */
const XML_FORBIDDEN = new RegExp(`[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\ufffe\\uffff]|${LONE_SURROGATE}`, 'g');

/**
 * Bidirectional controls: the embeddings and overrides U+202A–U+202E and the isolates U+2066–U+2069
 * (the "Trojan Source" characters), plus the marks U+200E, U+200F and U+061C. They reorder how the text
 * around them is displayed, so `gnp.exe` can read as `exe.png`.
 */
const BIDI = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';

/** A cheap test for anything xmlText() may change (any surrogate, even a valid pair, takes the slow path). */
const XML_CANDIDATE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]|_x/;

/** For a terminal: every C0 control (tab and newline too: each printed item is one line), DEL, C1, bidi controls. */
const TERMINAL_UNSAFE = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${BIDI}]|${LONE_SURROGATE}|[\\ufffe\\uffff]`, 'g');

/** For HTML: what XML forbids, plus DEL, C1 and the bidi controls; tab, LF and CR are ordinary white space there. */
const HTML_UNSAFE = new RegExp(`${XML_FORBIDDEN.source}|[\\u007f-\\u009f${BIDI}]`, 'g');

/**
 * Text for any XML part (an xlsx cell, sheet name, defined name, docProps). Also escapes a literal
 * `_xHHHH_` as `_x005F_xHHHH_`: OOXML decodes that pattern in strings, so otherwise a name holding the
 * six characters `_x0007_` would come back as a BEL once Excel reads it.
 */
export function xmlText(text: string): string {
  // Fast path: most cells hold none of these, and a million-row sheet calls this for every text cell.
  if (!XML_CANDIDATE.test(text)) return text;
  return text.replace(XML_FORBIDDEN, visible).replace(/_(x[0-9A-Fa-f]{4}_)/g, '_x005F_$1');
}

/** Text for an HTML page: forbidden and invisible reordering characters shown as `\uXXXX`. */
export function htmlText(text: string): string {
  return text.replace(HTML_UNSAFE, visible);
}

/** Every string inside a JSON-like value passed through `fix` (arrays and plain objects rebuilt; other values as they are). */
export function mapStrings<T>(value: T, fix: (text: string) => string): T {
  if (typeof value === 'string') return fix(value) as T;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fix)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fix)])) as T;
  }
  return value;
}

/**
 * Text for one terminal line: control characters (ESC of colour and cursor sequences, BEL, NUL, CR,
 * LF), DEL, C1 (U+009B is a one-character CSI) and bidi controls shown as `\uXXXX`. Backslashes stay as
 * they are, so Windows paths read normally; use quotedName() where the exact text matters.
 */
export function terminalText(text: string): string {
  return text.replace(TERMINAL_UNSAFE, visible);
}

/**
 * A file name for a terminal line: as it is when ordinary; in double quotes, with `\` and `"` escaped
 * and unsafe characters as `\uXXXX`, when it holds anything a terminal would act on, a quote, or `:`
 * then a digit (which would make `name:1:1` lines ambiguous), so no name can forge an `error file:line:col` line.
 */
export function quotedName(name: string): string {
  TERMINAL_UNSAFE.lastIndex = 0;
  const odd = TERMINAL_UNSAFE.test(name) || /["]|:\d/.test(name) || name !== name.trim();
  TERMINAL_UNSAFE.lastIndex = 0;
  return odd ? `"${terminalText(name.replace(/[\\"]/g, '\\$&'))}"` : name;
}

/** formatDiagnostic() for a terminal: the same `file:line:col: message`, with the name quoted when odd and the message escaped. */
export function terminalDiagnostic(d: Diagnostic): string {
  const file = quotedName(d.file);
  const message = terminalText(d.message);
  return d.line > 0 ? `${file}:${d.line}:${d.column}: ${message}` : `${file}: ${message}`;
}
