import { join } from 'node:path';
import type { Finding, Occurrence } from '../../model/finding.js';
import type { AuditResult } from '../../model/report.js';
import type { Reporter } from '../types.js';
import { FINDINGS_JSON_NAME } from '../paths.js';
import { writeChunksAtomic } from '../write-atomic.js';
import { fileProgress } from '../progress.js';
import { prettyJsonChunks, type JsonPath } from '../json-stream.js';

/** Top-level lists besides the findings that can be huge (a million-route table): written element by element. */
const STREAMED: JsonPath[] = [['summarised']];

/**
 * findings.json as a sequence of chunks: `JSON.stringify(result, null, 2)` plus a newline, except for the
 * findings' occurrences (see findingChunk). Key order follows the model and lists are sorted upstream:
 * same input, same bytes. The chunks keep memory flat and stay under V8's ~512 MB limit on a single string.
 */
export function* findingsJsonChunks(result: AuditResult): Generator<string> {
  // JSON.stringify leaves out members whose value is undefined.
  const members = Object.entries(result).filter(([, value]) => value !== undefined);
  for (const [i, [key, value]] of members.entries()) {
    yield `${i === 0 ? '{\n' : ',\n'}  ${JSON.stringify(key)}: `;
    if (key === 'findings') yield* findingsChunks(value as Finding[]);
    else yield* prettyJsonChunks(value, STREAMED, [key], '  ');
  }
  yield members.length === 0 ? '{}\n' : '\n}\n';
}

export function findingsJson(result: AuditResult): string {
  return [...findingsJsonChunks(result)].join('');
}

function* findingsChunks(findings: readonly Finding[]): Generator<string> {
  if (findings.length === 0) {
    yield '[]';
    return;
  }
  for (const [i, finding] of findings.entries()) {
    yield i === 0 ? '[\n    ' : ',\n    ';
    yield* findingChunks(finding);
  }
  yield '\n  ]';
}

/** Occurrence lines joined into one chunk: enough to keep the chunks few, few enough to keep each small. */
const OCCURRENCES_PER_CHUNK = 2_000;

/**
 * One finding as pretty JSON at the depth findings.json holds it, with its occurrences last, one a line
 * and compact: a national table's cause has thousands of them, and each costs about a line of text
 * (issue 15: at most 150 bytes an occurrence) where pretty-printing would triple that. The occurrences go
 * out in chunks of OCCURRENCES_PER_CHUNK lines: one cause of a million-route table can have a million.
 */
function* findingChunks(finding: Finding): Generator<string> {
  const { occurrences, ...cause } = finding;
  const text = JSON.stringify(cause, null, 2).replace(/\n/g, '\n    ');
  // `text` ends with the closing brace of the finding: the occurrences go in before it.
  yield `${text.slice(0, -'\n    }'.length)},\n      "occurrences": [\n`;
  const file = finding.location.file;
  for (let start = 0; start < occurrences.length; start += OCCURRENCES_PER_CHUNK) {
    const end = Math.min(start + OCCURRENCES_PER_CHUNK, occurrences.length);
    let lines = start === 0 ? '' : ',\n';
    for (let i = start; i < end; i++)
      lines += `${i === start ? '' : ',\n'}        ${occurrenceJson(occurrences[i], file)}`;
    yield lines;
  }
  yield '\n      ]\n    }';
}

/**
 * An occurrence as findings.json writes it, one compact line: its location's file left out when it is the
 * finding's, the members in the model's order (Occurrence). Written out rather than `JSON.stringify` of a
 * copy without the file: a million-route table has some three million occurrences, and the copies and the
 * generic walk took about 4 s of its findings.json. The strings still go through JSON.stringify, which
 * escapes them; a property test holds this equal to `JSON.stringify` of the compact copy.
 */
export function occurrenceJson(o: Occurrence, file: string): string {
  const { location } = o;
  const place = location.file === file ? '' : `"file":${JSON.stringify(location.file)},`;
  let json = `{"subject":${JSON.stringify(o.subject)},"location":{${place}"line":${location.line},"column":${location.column}},"fingerprint":${JSON.stringify(o.fingerprint)}`;
  if (o.evidence !== undefined) json += `,"evidence":${JSON.stringify(o.evidence)}`;
  if (o.baseline !== undefined) json += `,"baseline":${JSON.stringify(o.baseline)}`;
  return `${json}}`;
}

/** An occurrence as findings.json holds it (docs/findings.md). */
export type WrittenOccurrence = Omit<Occurrence, 'location'> & {
  location: Omit<Occurrence['location'], 'file'> & { file?: string };
};

/**
 * The findings of a parsed findings.json with every occurrence's location complete again (its file is
 * left out when it is the finding's): for readers that want each occurrence's place on its own.
 */
export function withOccurrenceFiles<T extends Pick<Finding, 'location'> & { occurrences: WrittenOccurrence[] }>(
  findings: T[],
): Array<T & { occurrences: Occurrence[] }> {
  return findings.map((f) => ({
    ...f,
    occurrences: f.occurrences.map((o) => ({
      ...o,
      location: { file: o.location.file ?? f.location.file, line: o.location.line, column: o.location.column },
    })),
  }));
}

export const jsonReporter: Reporter = {
  name: 'json',
  async write({ report }, outDir, options) {
    const path = join(outDir, FINDINGS_JSON_NAME);
    writeChunksAtomic(path, findingsJsonChunks(report.result), fileProgress(options, outDir, path, 'bytes'));
    return [path];
  },
};
