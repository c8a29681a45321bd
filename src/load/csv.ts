import { progressEvery } from '../model/progress.js';
import type { RouteDestination, RouteMatch } from '../model/generated/routing-table.js';
import type { Diagnostic, DocPath, PositionLookup, SourcePos } from '../model/types.js';
import { lineStarts, positionAt } from './lines.js';
import { parseYaml, type ParsedFile, type YamlLimits } from './yaml.js';

/**
 * CSV route exports (STP and DRA exports are CSV in practice). One file per table: a YAML header document
 * (a RoutingTable without `spec.routes`), a line `---`, then RFC 4180 CSV whose header row names route
 * fields as in YAML, dotted for nested ones:
 *
 *   id,match.gtPrefix,destination.country,destination.plmn,primary,backups,transit,trafficShare,encryption,firewall,status
 *   r-0001,8613,CN,460-00,cmi,ntt-ipx;ctg,cmi;ctg,3.5,none,fw-main,active
 *
 * `backups` and `transit` list carrier ids separated by `;`. An empty cell leaves the field out. Every
 * route field is then validated by the same JSON Schema as YAML routes, and errors point at the row and
 * the cell's column.
 */
type ColumnSetter = (route: RouteCells, text: string) => void;

/**
 * A route as its CSV row writes it, before the schema checks it: the fields of a Route, each cell as
 * text, except a trafficShare written as a number.
 */
interface RouteCells {
  id?: string;
  match?: { [F in keyof RouteMatch]?: string };
  destination?: { [F in keyof RouteDestination]?: string };
  primary?: { carrier: string };
  backups?: Array<{ carrier: string }>;
  transit?: string[];
  trafficShare?: number | string;
  encryption?: string;
  firewall?: string;
  status?: string;
}

/** An object of named fields as YAML writes a map (not null, not a list). */
function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The route field each column name sets. A Map, never an object's properties: a header naming `__proto__`,
 * `constructor` or `toString` is an unknown column, not an inherited function.
 */
export const CSV_COLUMNS: ReadonlyMap<string, ColumnSetter> = new Map<string, ColumnSetter>(
  Object.entries({
    id: (r, t) => (r.id = t),
    'match.gtPrefix': (r, t) => ((r.match ??= {}).gtPrefix = t),
    'match.realm': (r, t) => ((r.match ??= {}).realm = t),
    'match.plmn': (r, t) => ((r.match ??= {}).plmn = t),
    'match.apn': (r, t) => ((r.match ??= {}).apn = t),
    'match.e164Prefix': (r, t) => ((r.match ??= {}).e164Prefix = t),
    'match.fqdn': (r, t) => ((r.match ??= {}).fqdn = t),
    'destination.country': (r, t) => ((r.destination ??= {}).country = t),
    'destination.plmn': (r, t) => ((r.destination ??= {}).plmn = t),
    primary: (r, t) => (r.primary = { carrier: t }),
    backups: (r, t) => (r.backups = t.split(';').map((c) => ({ carrier: c.trim() }))),
    transit: (r, t) => (r.transit = t.split(';').map((c) => c.trim())),
    trafficShare: (r, t) => (r.trafficShare = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t.trim()) ? Number(t) : t),
    encryption: (r, t) => (r.encryption = t),
    firewall: (r, t) => (r.firewall = t),
    status: (r, t) => (r.status = t),
  } satisfies Record<string, ColumnSetter>),
);

/** The YAML path of a route field → the CSV column it came from. */
function columnFor(path: DocPath): string | undefined {
  const [field, second] = path;
  if (field === 'match' || field === 'destination')
    return typeof second === 'string' ? `${field}.${second}` : undefined;
  return typeof field === 'string' && CSV_COLUMNS.has(field) ? field : undefined;
}

interface Row {
  fields: string[];
  /** Offsets (in the body text) where each field starts. */
  starts: number[];
}

/** One RFC 4180 record starting at `offset`: fields, their start offsets, and where the next record starts. */
export function readRecord(text: string, offset: number): Row & { next: number; unclosedQuote?: number } {
  let unclosedQuote: number | undefined;
  const fields: string[] = [];
  const starts: number[] = [];
  let i = offset;
  for (;;) {
    starts.push(i);
    let value = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) {
          unclosedQuote ??= starts[starts.length - 1];
          value += text.slice(i);
          i = text.length;
          break;
        }
        value += text.slice(i, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      // Anything between the closing quote and the separator is kept, as lenient parsers do.
      while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') value += text[i++];
    } else {
      let end = i;
      while (end < text.length && text[end] !== ',' && text[end] !== '\n' && text[end] !== '\r') end++;
      value = text.slice(i, end);
      i = end;
    }
    fields.push(value);
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    return { fields, starts, next: i, ...(unclosedQuote !== undefined ? { unclosedQuote } : {}) };
  }
}

/**
 * `onRead` hears how far the rows are read, in characters of the file (done, total), every
 * progressEvery.items rows: a national export has a million of them.
 */
export function parseCsvTable(
  file: string,
  text: string,
  limits: YamlLimits,
  onRead?: (done: number, total: number) => void,
): ParsedFile {
  const separator = /^---[ \t]*\r?$/m.exec(text);
  if (!separator) {
    return {
      documents: [],
      diagnostics: [
        {
          file,
          line: 1,
          column: 1,
          code: 'yaml-syntax',
          message: 'a CSV route export starts with a YAML RoutingTable header, then a line "---", then the CSV rows',
        },
      ],
    };
  }
  const header = parseYaml(file, text.slice(0, separator.index), {
    ...limits,
    largeFileBytes: Number.POSITIVE_INFINITY,
  });
  if (header.diagnostics.length > 0 || header.documents.length !== 1) {
    return {
      documents: [],
      diagnostics:
        header.diagnostics.length > 0
          ? header.diagnostics
          : [
              {
                file,
                line: 1,
                column: 1,
                code: 'yaml-syntax',
                message: 'the CSV header must be exactly one YAML document',
              },
            ],
    };
  }
  const doc = header.documents[0];
  const value = doc.value;
  // A header that is not a map (a bare scalar, a list) is left to the envelope check to report.
  if (!isMap(value)) return { documents: [doc], diagnostics: [] };
  const metadata = isMap(value.metadata) ? value.metadata : {};
  const diagnostics: Diagnostic[] = [];
  let bodyStart = separator.index + separator[0].length;
  if (text[bodyStart] === '\n') bodyStart++;
  const lineAt = lineCounter(text);

  // Problems that stop the table from loading: the operator still learns its submission is incomplete.
  const operator = typeof metadata.operator === 'string' && metadata.operator !== '' ? metadata.operator : undefined;
  const tableId = typeof metadata.id === 'string' ? metadata.id : undefined;
  const tableProblem = (at: { line: number; column: number }, message: string): Diagnostic => ({
    file,
    ...at,
    code: 'schema',
    message,
    ...(operator ? { operator } : {}),
    ...(tableId && value.kind === 'RoutingTable' ? { dropped: { kind: 'RoutingTable', id: tableId } } : {}),
  });
  const unclosed = (record: { unclosedQuote?: number }) =>
    record.unclosedQuote === undefined
      ? undefined
      : tableProblem(
          lineAt(record.unclosedQuote),
          'unclosed quote: the " that opens this cell is never closed (write "" for a quote inside a quoted cell)',
        );

  if (value.spec !== null && typeof value.spec === 'object' && Object.hasOwn(value.spec, 'routes')) {
    diagnostics.push(
      tableProblem(
        doc.positions.locateKey(['spec', 'routes']),
        'spec.routes: a CSV header must not list routes: the routes are the CSV rows after the "---" line',
      ),
    );
  }
  const names = readRecord(text, bodyStart);
  const columns = names.fields.map((n) => n.trim());
  const headerUnclosed = unclosed(names);
  if (headerUnclosed) diagnostics.push(headerUnclosed);
  const firstSeen = new Map<string, number>();
  columns.forEach((name, c) => {
    const at = lineAt(names.starts[c]);
    if (!CSV_COLUMNS.has(name)) {
      if (!headerUnclosed)
        diagnostics.push(
          tableProblem(at, `CSV column "${name}": not a route field (expected: ${[...CSV_COLUMNS.keys()].join(', ')})`),
        );
      return;
    }
    const first = firstSeen.get(name);
    if (first === undefined) firstSeen.set(name, c);
    else
      diagnostics.push(
        tableProblem(at, `CSV column "${name}" appears twice, as column ${first + 1} and column ${c + 1}: keep one`),
      );
  });
  if (diagnostics.length > 0) return { documents: [], diagnostics };

  const routes: RouteCells[] = [];
  const rowStarts: number[] = [];
  for (let offset = names.next; offset < text.length; ) {
    const row = readRecord(text, offset);
    const broken = unclosed(row);
    if (broken) {
      // The rows before it are audited; this one and the text after it cannot be read as rows.
      const { dropped: _table, ...rowProblem } = broken;
      diagnostics.push({
        ...rowProblem,
        message: `${rowProblem.message}; this row and the lines after it were not audited, the ${routes.length} row(s) before it were`,
      });
      break;
    }
    if (row.fields.length === 1 && row.fields[0].trim() === '') {
      offset = row.next;
      continue; // blank line
    }
    const route: RouteCells = {};
    row.fields.forEach((cell, c) => {
      if (cell !== '' && c < columns.length) CSV_COLUMNS.get(columns[c])!(route, cell);
    });
    if (row.fields.length > columns.length) {
      diagnostics.push({
        file,
        ...lineAt(row.starts[columns.length]),
        code: 'schema',
        message: `row has ${row.fields.length} cells, the header names ${columns.length}`,
      });
    }
    routes.push(route);
    rowStarts.push(offset);
    offset = row.next;
    if (onRead && routes.length % progressEvery.items === 0) onRead(offset, text.length);
  }
  // Whatever the header's spec is, its own fields are kept for the schema to judge (a scalar has none).
  value.spec = { ...(value.spec as object | undefined), routes };
  return {
    documents: [{ index: 0, value, positions: new CsvPositions(file, text, doc.positions, rowStarts, columns) }],
    diagnostics,
  };
}

/** Offset → line and column, over line starts built once per file. */
function lineCounter(text: string): (offset: number) => { line: number; column: number } {
  const starts = lineStarts(text);
  return (offset) => positionAt(starts, offset);
}

/** Positions in a CSV export: header paths from its YAML, route paths from the row and the cell. */
export class CsvPositions implements PositionLookup {
  private readonly lineAt: (offset: number) => { line: number; column: number };

  constructor(
    readonly file: string,
    readonly text: string,
    readonly header: PositionLookup,
    readonly rowStarts: number[],
    readonly columns: string[],
  ) {
    this.lineAt = lineCounter(text);
  }

  locate(path: DocPath): SourcePos {
    if (path[0] === 'spec' && path[1] === 'routes') {
      const index = typeof path[2] === 'number' ? path[2] : 0;
      const start = this.rowStarts[index];
      if (start === undefined) return this.header.locate(['spec']);
      const column = columnFor(path.slice(3));
      const cell = column === undefined ? -1 : this.columns.indexOf(column);
      const offset = cell < 0 ? start : (readRecord(this.text, start).starts[cell] ?? start);
      return { file: this.file, ...this.lineAt(offset) };
    }
    return this.header.locate(path);
  }

  locateKey(path: DocPath): SourcePos {
    return path[0] === 'spec' && path[1] === 'routes' ? this.locate(path) : this.header.locateKey(path);
  }
}
