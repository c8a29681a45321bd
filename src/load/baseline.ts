import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findingDigest, type PreviousFinding, type PreviousFindings } from '../model/baseline.js';
import type { Finding } from '../model/finding.js';
import type { Diagnostic } from '../model/types.js';
import { type schemaValidator, sharedAjv } from './schemas.js';

/** Files larger than this are read list element by list element (see splitFindings). */
const WHOLE_PARSE_BYTES = 256 * 2 ** 20;

/** How many findings are validated against the schema at a time when the file is read in pieces. */
const VALIDATE_BATCH = 10_000;

/**
 * Reads a previous run's findings.json (from its --out folder) for --baseline, checking it is one. A
 * national run's findings.json can be larger than the longest string V8 holds (~512 MB): such a file is
 * read as bytes, its `findings` list cut into elements parsed one by one.
 */
export function loadPreviousFindings(dir: string, wholeParseBytes = WHOLE_PARSE_BYTES): PreviousFindings | Diagnostic {
  const file = join(dir, 'findings.json');
  const problem = (reason: string): Diagnostic => ({
    file,
    line: 0,
    column: 0,
    code: 'usage',
    message: `--baseline: ${reason}`,
  });
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    return problem(
      (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no findings.json there: give the --out folder of an earlier ixaudit run'
        : `cannot read findings.json (${(err as Error).message})`,
    );
  }
  // The findings are validated in batches together with the rest of the document, and only the fields a
  // comparison reads are kept, the message and evidence as one digest: a million previous findings then
  // cost a fraction of their size in memory.
  let head: Record<string, unknown>;
  let count: number;
  let findingAt: (i: number) => unknown;
  try {
    if (bytes.length <= wholeParseBytes) {
      head = JSON.parse(bytes.toString('utf8'));
      const list: unknown[] = Array.isArray(head?.findings) ? head.findings : [];
      count = list.length;
      findingAt = (i) => list[i];
    } else {
      const split = splitFindings(bytes);
      head = split.head;
      count = split.starts.length;
      findingAt = (i) => JSON.parse(bytes.toString('utf8', split.starts[i], split.ends[i]));
    }
  } catch (err) {
    return problem(`not readable JSON (${(err as Error).message})`);
  }
  // Only what a comparison reads is checked: the audit date and the findings. The rest of the document
  // (summary, waivers, errors) changed between schema versions, and a 1.0 run must stay a usable baseline.
  if (typeof (head as { run?: { auditDate?: unknown } })?.run?.auditDate !== 'string')
    return problem('not an ixaudit findings.json (/run/auditDate missing)');
  const version = String(head.schemaVersion);
  if (!READABLE_VERSIONS.includes(version))
    return problem(
      `findings.json schemaVersion ${JSON.stringify(head.schemaVersion)} is not one this ixaudit reads (${READABLE_VERSIONS.join(', ')})`,
    );
  // Before 3.0 a finding was one subject: read as a cause with that subject as its one occurrence.
  const upgrade = version === '1.0' || version === '2.0' ? asOneOccurrence : (f: unknown) => f;
  const validate = previousFindingsValidator();
  const kept: PreviousFindings['findings'] = [];
  for (let start = 0; start === 0 || start < count; start += VALIDATE_BATCH) {
    const batch: unknown[] = [];
    try {
      for (let i = start; i < Math.min(count, start + VALIDATE_BATCH); i++) batch.push(upgrade(findingAt(i)));
    } catch (err) {
      return problem(`not readable JSON (${(err as Error).message})`);
    }
    // What a previous run said of its own baseline is not read, and may use states this version does not
    // know (or an older set of them): it is left out of the check, so any run can be the next one's baseline.
    if (!validate(batch.map(withoutBaseline))) {
      const first = validate.errors?.[0];
      const path = (first?.instancePath ?? '').replace(/^\/(\d+)/, (_, i: string) => `/findings/${start + Number(i)}`);
      return problem(`not an ixaudit findings.json (${path || '/'} ${first?.message ?? ''})`);
    }
    // Before 3.0 findings were not grouped, so which subjects were one cause is not known.
    for (const f of batch as Finding[])
      for (const compared of comparedFields(f, version === '3.0')) kept.push(compared);
  }
  const run = head as { run: { auditDate: string } };
  return { auditDate: run.run.auditDate, findings: kept };
}

let findingsValidator: ReturnType<typeof schemaValidator> | undefined;

/** The findings.json schema's `findings` list, on its own. */
function previousFindingsValidator(): ReturnType<typeof schemaValidator> {
  findingsValidator ??= sharedAjv().compile({
    $ref: 'https://ixaudit.dev/schemas/findings.schema.json#/properties/findings',
  });
  return findingsValidator;
}

/** The findings.json versions --baseline reads: 1.0 and 2.0 list one subject per finding, 3.0 one cause. */
const READABLE_VERSIONS = ['1.0', '2.0', '3.0'];

/**
 * What a comparison reads of a previous finding (src/engine/baseline.ts), one entry per occurrence, that
 * is per subject: its own fingerprint, and the message and full evidence (the cause's with the
 * occurrence's own) as a digest, the same digest a finding of 2.0 had for the same subject and evidence.
 */
export function comparedFields(f: Finding, grouped = true): PreviousFinding[] {
  let causeDigest: string | undefined;
  return f.occurrences.map((o) => ({
    control: f.control,
    operator: f.operator,
    subject: o.subject,
    status: f.status,
    fingerprint: o.fingerprint,
    severity: f.severity,
    title: f.title,
    ...(grouped ? { cause: f.fingerprint } : {}),
    digest: o.evidence
      ? findingDigest({ message: f.message, evidence: { ...f.evidence, ...o.evidence } })
      : (causeDigest ??= findingDigest(f)),
  }));
}

/** A finding of findings.json 1.0 or 2.0 (one subject each) in the shape of 3.0: its subject as its one occurrence. */
function asOneOccurrence(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || 'occurrences' in value) return value;
  const f = value as Partial<Finding>;
  return { ...f, occurrences: [{ subject: f.subject, location: f.location, fingerprint: f.fingerprint }] };
}

/** A finding without its `baseline` member, nor its occurrences' (a copy only when one has one). */
function withoutBaseline<T>(value: T): T {
  const stripped = withoutOwnBaseline(value);
  const occurrences = (stripped as { occurrences?: unknown } | null)?.occurrences;
  if (!Array.isArray(occurrences) || !occurrences.some((o) => withoutOwnBaseline(o) !== o)) return stripped;
  return { ...stripped, occurrences: occurrences.map(withoutOwnBaseline) };
}

/** An object without its `baseline` member (a copy only when it has one). */
function withoutOwnBaseline<T>(value: T): T {
  if (value === null || typeof value !== 'object' || !('baseline' in value)) return value;
  const { baseline: _ignored, ...rest } = value as Record<string, unknown>;
  return rest as T;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

/**
 * Reads a JSON document whose root is an object: where each element of its top-level `findings` array
 * starts and ends (byte offsets), and the rest of the document parsed, with an empty list in the array's
 * place. Works on bytes: strings are skipped with their escapes,
 * so braces inside messages do not count; any valid JSON layout is read, not only ixaudit's own.
 */
export function splitFindings(bytes: Buffer): { head: Record<string, unknown>; starts: number[]; ends: number[] } {
  let depth = 0;
  // The last string met directly in the root object: the key, when a value follows it.
  let lastKey = '';
  let arrayStart = -1;
  let arrayEnd = -1;
  let elementStart = -1;
  const starts: number[] = [];
  const ends: number[] = [];
  const element = (end: number) => {
    let from = elementStart;
    while (from < end && (bytes[from] === 0x20 || bytes[from] === 0x0a || bytes[from] === 0x0d || bytes[from] === 0x09))
      from++;
    if (from === end) {
      // Only an empty list has nothing between its brackets; "[a,]" or "[a,,b]" is not JSON.
      if (starts.length > 0 || bytes[end] !== 0x5d)
        throw new SyntaxError(`empty element in the findings list at byte ${end}`);
      return;
    }
    starts.push(from);
    ends.push(end);
  };
  for (let i = 0; i < bytes.length && arrayEnd < 0; i++) {
    const b = bytes[i];
    if (b === QUOTE) {
      const start = i;
      for (i++; i < bytes.length && bytes[i] !== QUOTE; i++) if (bytes[i] === BACKSLASH) i++;
      if (depth === 1 && arrayStart < 0) lastKey = bytes.toString('utf8', start + 1, i);
      continue;
    }
    if (b === 0x7b || b === 0x5b) {
      // '{' or '['
      if (depth === 1 && b === 0x5b && lastKey === 'findings' && arrayStart < 0) {
        arrayStart = i;
        elementStart = i + 1;
      }
      depth++;
      continue;
    }
    if (b === 0x7d || b === 0x5d) {
      // '}' or ']'
      depth--;
      if (arrayStart >= 0 && depth === 1 && b === 0x5d) {
        element(i);
        arrayEnd = i;
      }
      continue;
    }
    if (b === COMMA) {
      if (arrayStart >= 0 && depth === 2) {
        element(i);
        elementStart = i + 1;
      } else if (depth === 1) {
        lastKey = '';
      }
    }
  }
  if (arrayStart < 0) return { head: JSON.parse(bytes.toString('utf8')), starts, ends };
  if (arrayEnd < 0) throw new SyntaxError('the findings list is not closed');
  const head = JSON.parse(
    Buffer.concat([bytes.subarray(0, arrayStart), Buffer.from('[]'), bytes.subarray(arrayEnd + 1)]).toString('utf8'),
  );
  return { head, starts, ends };
}
