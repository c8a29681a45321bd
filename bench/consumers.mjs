// The outputs of one bench audit as their readers see them (issue 15), in a process of its own after the
// audit: sizes and counts, then the real consumers, each timed. Prints one JSON line.
// Usage: node bench/consumers.mjs OUT_DIR [--stats-only]
//   IXAUDIT_SARIF_MULTITOOL  the Sarif.Multitool binary (default: the devDependency's Linux binary)
//   IXAUDIT_HDF_TOOLS        a folder whose node_modules has @mitre/saf (else tools/hdf, as in the tests)
//   IXAUDIT_BENCH_CONSUMER_TIMEOUT  seconds a consumer may take (default 900)
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  createReadStream,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  isDateTime,
  multitoolBinary,
  multitoolEnv,
  SAF_INSTALL_HINT,
  safBinary,
  sofficeCsvArgs,
} from '../test/support/consumers.mjs';

const [out, flag] = process.argv.slice(2);
const statsOnly = flag === '--stats-only';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const TIMEOUT = Number(process.env.IXAUDIT_BENCH_CONSUMER_TIMEOUT ?? 900) * 1000;
// JSON.parse needs the text as one string, and V8's longest is 2^29 - 24 characters.
const PARSE_LIMIT = 500 * 2 ** 20;

const files = [];
(function walk(d) {
  for (const f of readdirSync(d).sort()) {
    const path = join(d, f);
    if (statSync(path).isDirectory()) walk(path);
    else files.push(relative(out, path));
  }
})(out);
const sizeOf = (f) => statSync(join(out, f)).size;

async function timed(fn) {
  const start = performance.now();
  try {
    const value = await fn();
    return { ...value, ms: Math.round(performance.now() - start) };
  } catch (err) {
    return {
      ok: false,
      detail: `threw: ${String(err?.message ?? err).slice(0, 300)}`,
      ms: Math.round(performance.now() - start),
    };
  }
}

/**
 * findings.json read line by line (it may be longer than V8's longest string): findings are pretty-printed
 * four spaces in with their status six in, and each occurrence is one compact line eight in
 * (src/report/json). Checked against JSON.parse where the file is small enough.
 */
async function findingsJsonStats(file) {
  let section = '';
  let status = '';
  let findings = 0;
  const occurrences = {};
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (line.startsWith('  "') && !line.startsWith('   ')) section = line.slice(3, line.indexOf('"', 3));
    if (section !== 'findings') continue;
    if (line === '    {') findings++;
    else if (line.startsWith('      "status": "')) status = line.slice(17, line.indexOf('"', 17));
    else if (line.startsWith('        {"subject":')) occurrences[status] = (occurrences[status] ?? 0) + 1;
  }
  const total = Object.values(occurrences).reduce((n, c) => n + c, 0);
  const bytes = statSync(file).size;
  const stats = { bytes, findings, occurrences: total, byStatus: occurrences, bytesPerOccurrence: bytes / total };
  if (bytes < 200 * 2 ** 20) {
    // The line scan must agree with the parsed document.
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const parsed = {};
    for (const f of doc.findings) parsed[f.status] = (parsed[f.status] ?? 0) + f.occurrences.length;
    if (doc.findings.length !== findings || JSON.stringify(parsed) !== JSON.stringify(occurrences))
      throw new Error(`findings.json line scan disagrees with JSON.parse: ${JSON.stringify({ parsed, occurrences })}`);
    stats.checkedByParse = true;
  }
  return stats;
}

/** How often each of `needles` occurs in a file, read in blocks (for files JSON.parse cannot take). */
function countIn(file, needles) {
  const counts = Object.fromEntries(needles.map((k) => [k, 0]));
  const overlap = Math.max(...needles.map((k) => k.length)) - 1;
  const fd = openSync(file, 'r');
  const block = Buffer.alloc(1 << 24);
  let carry = '';
  try {
    for (let read; (read = readSync(fd, block, 0, block.length, null)) > 0; ) {
      const text = carry + block.toString('latin1', 0, read);
      for (const k of needles)
        for (let i = text.indexOf(k); i !== -1; i = text.indexOf(k, i + 1))
          if (i + k.length > carry.length) counts[k]++;
      carry = text.slice(-overlap);
    }
  } finally {
    closeSync(fd);
  }
  return counts;
}

function sarifStats(file) {
  const bytes = statSync(file).size;
  const text = readFileSync(file);
  const stats = { bytes, gzipBytes: gzipSync(text).length };
  if (bytes > PARSE_LIMIT) {
    // Too long for JSON.parse: results and locations counted by their keys in the pretty-printed text
    // (each result has one "ruleId"; rules and notifications have none).
    const counts = countIn(file, ['"ruleId"', '"physicalLocation"']);
    return { ...stats, results: counts['"ruleId"'], locations: counts['"physicalLocation"'], countedInText: true };
  }
  const run = JSON.parse(text.toString('utf8')).runs[0];
  const notifications = (run.invocations ?? []).flatMap((i) => i.toolExecutionNotifications ?? []);
  return {
    ...stats,
    results: run.results.length,
    locations: run.results.reduce((n, r) => n + (r.locations?.length ?? 0), 0),
    rules: run.tool.driver.rules?.length ?? 0,
    notifications: notifications.map((n) => n.descriptor?.id ?? n.message?.text),
  };
}

const stats = { files: Object.fromEntries(files.map((f) => [f, sizeOf(f)])) };
stats.totalBytes = Object.values(stats.files).reduce((n, b) => n + b, 0);
if (files.includes('findings.json')) stats.findingsJson = await findingsJsonStats(join(out, 'findings.json'));
if (files.includes('findings.sarif')) stats.sarif = sarifStats(join(out, 'findings.sarif'));

// ---------------------------------------------------------------------------------------------------------
// The consumers, as the tests call them (test/report-sarif-causes.test.ts, test/report-hdf-causes.test.ts,
// test/report-oscal-causes.test.ts, test/report-xlsx.test.ts).

/**
 * `sarif-multitool validate` with the tests' rules and levels (what node_modules/.bin/sarif-multitool runs):
 * errors and warnings among its results (a result without a level is a warning, SARIF §3.27.10) and its
 * own notifications (a file past its size limit is skipped with a warning and an error).
 */
function multitool(file, extra = []) {
  const tool = multitoolBinary();
  if (!tool) return { ok: null, detail: 'not installed (@microsoft/sarif-multitool is a devDependency: npm ci)' };
  const dir = mkdtempSync(join(tmpdir(), 'ixaudit-bench-multitool-'));
  try {
    const output = join(dir, 'validation.sarif');
    const run = spawnSync(
      tool,
      [
        'validate',
        file,
        '--rule-kind',
        'Sarif;Gh',
        '--level',
        'Error;Warning;Note',
        '--output',
        output,
        '--log',
        'ForceOverwrite',
        ...extra,
      ],
      { encoding: 'utf8', maxBuffer: 1 << 28, timeout: TIMEOUT, env: multitoolEnv() },
    );
    if (!existsSync(output))
      return { ok: false, detail: `no output: status ${run.status} ${run.error ?? ''} ${run.stdout.slice(-500)}` };
    const validation = JSON.parse(readFileSync(output, 'utf8')).runs[0];
    const counts = { error: 0, warning: 0, note: 0 };
    const problems = {};
    const count = (id, level) => {
      counts[level] = (counts[level] ?? 0) + 1;
      if (level !== 'note') problems[`${level} ${id}`] = (problems[`${level} ${id}`] ?? 0) + 1;
    };
    for (const r of validation.results ?? []) count(r.ruleId, r.level ?? 'warning');
    for (const i of validation.invocations ?? [])
      for (const n of [...(i.toolConfigurationNotifications ?? []), ...(i.toolExecutionNotifications ?? [])])
        count(n.descriptor?.id ?? 'notification', n.level ?? 'warning');
    const successful = validation.invocations?.every((i) => i.executionSuccessful) ?? false;
    return {
      ok: run.status === 0 && successful && counts.error === 0 && counts.warning === 0,
      status: run.status,
      errors: counts.error,
      warnings: counts.warning,
      notes: counts.note,
      problems,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** inspecjs, the library Heimdall reads files with: detects exec JSON 1.0 and reads every control's status. */
function inspecjs(file) {
  let lib;
  try {
    lib = require('inspecjs');
  } catch {
    return { ok: null, detail: 'not installed (inspecjs is a devDependency: npm ci)' };
  }
  const text = readFileSync(file, 'utf8');
  const converted = lib.convertFile(text, true);
  const kinds = Object.keys(converted).filter((k) => converted[k]);
  if (kinds.join() !== '1_0_ExecJson') return { ok: false, detail: `detected as ${kinds.join(', ') || 'nothing'}` };
  const controls = lib.contextualizeEvaluation(converted['1_0_ExecJson']).contains.flatMap((p) => p.contains);
  const statuses = {};
  for (const c of controls) statuses[c.hdf.status] = (statuses[c.hdf.status] ?? 0) + 1;
  const unmapped = controls.filter((c) => c.hdf.rawNistTags.includes('UM-1')).length;
  const results = controls.reduce((n, c) => n + c.data.results.length, 0);
  return {
    ok: unmapped === 0 && !statuses['Profile Error'],
    errors: statuses['Profile Error'] ?? 0,
    warnings: unmapped,
    controls: controls.length,
    results,
    statuses,
    detail: unmapped ? `${unmapped} control(s) without a NIST tag (UM-1)` : undefined,
  };
}

/** MITRE's SAF CLI (@mitre/saf 1.5.3): tools/hdf, where bench/run.mjs installs it, or IXAUDIT_HDF_TOOLS. */
function saf(file) {
  const bin = safBinary();
  if (!bin) return { ok: null, detail: `not installed (${SAF_INSTALL_HINT})` };
  // It writes saf-cli.log into its working directory: a scratch one, not the clone or the outputs.
  const cwd = mkdtempSync(join(tmpdir(), 'ixaudit-bench-saf-'));
  const run = spawnSync(bin, ['view', 'summary', '-i', resolve(file)], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    timeout: TIMEOUT,
  });
  rmSync(cwd, { recursive: true, force: true });
  return {
    ok: run.status === 0 && run.stdout.includes('profileName: ixaudit'),
    status: run.status,
    detail: run.status === 0 ? undefined : run.stderr.slice(-300),
  };
}

/**
 * The OSCAL assessment results against the official schema (vendored in test/fixtures/schemas), every
 * format checked, and every uuid it refers to defined in it, as test/report-oscal-causes.test.ts checks;
 * and every relative href resolving to a file beside it.
 */
async function oscal(file) {
  if (statSync(file).size > PARSE_LIMIT)
    return { ok: false, detail: 'longer than JSON.parse (and any Node tool) can read' };
  const { Ajv } = await import('ajv');
  const { isUri, isUriReference } = await import('../dist/report/uri.js');
  const ajv = new Ajv({ allErrors: true });
  ajv.addFormat('date-time', isDateTime);
  ajv.addFormat('uri', isUri);
  ajv.addFormat('uri-reference', isUriReference);
  ajv.addFormat('email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/);
  const schema = join(root, 'test', 'fixtures', 'schemas', 'oscal_assessment-results_schema.json');
  const validate = ajv.compile(JSON.parse(readFileSync(schema, 'utf8')));
  const text = readFileSync(file, 'utf8');
  const valid = validate(JSON.parse(text));
  const uuids = [...text.matchAll(/"uuid": "([^"]+)"/g)].map((m) => m[1]);
  const defined = new Set(uuids);
  const duplicates = uuids.length - defined.size;
  let references = 0;
  let unresolved = 0;
  for (const m of text.matchAll(
    /"(?:subject-uuid|actor-uuid|observation-uuid|risk-uuid|component-uuid)": "([^"]+)"|"href": "#([^"]+)"/g,
  )) {
    references++;
    if (!defined.has(m[1] ?? m[2])) unresolved++;
  }
  const hrefs = [...new Set([...text.matchAll(/"href": "([^"#][^"]*)"/g)].map((m) => m[1]))].filter(
    (h) => !/^[a-z][a-z0-9+.-]*:/i.test(h),
  );
  const missing = hrefs.filter((h) => !existsSync(resolve(dirname(file), decodeURI(h.split('#')[0]))));
  const schemaErrors = valid ? 0 : validate.errors.length;
  return {
    ok: valid && duplicates === 0 && unresolved === 0 && missing.length === 0,
    errors: schemaErrors + duplicates + unresolved + missing.length,
    warnings: 0,
    schemaErrors,
    firstSchemaErrors: valid ? undefined : validate.errors.slice(0, 3).map((e) => `${e.instancePath} ${e.message}`),
    uuids: uuids.length,
    duplicates,
    references,
    unresolved,
    relativeHrefs: hrefs.length,
    missingHrefs: missing.slice(0, 5),
  };
}

function hasSoffice() {
  return (process.env.PATH ?? '').split(':').some((d) => {
    try {
      accessSync(join(d, 'soffice'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** LibreOffice opening a workbook headless: every sheet converted to CSV (token 12 = -1), in its own profile. */
function libreOffice(file) {
  if (!hasSoffice()) return { ok: null, detail: 'not installed (apt-get install libreoffice-calc)' };
  const dir = mkdtempSync(join(tmpdir(), 'ixaudit-bench-soffice-'));
  try {
    const run = spawnSync('soffice', sofficeCsvArgs(dir, file), {
      encoding: 'utf8',
      timeout: TIMEOUT,
      maxBuffer: 1 << 26,
    });
    const sheets = readdirSync(dir).filter((f) => f.endsWith('.csv'));
    let rows = 0;
    for (const s of sheets) {
      const data = readFileSync(join(dir, s));
      for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) rows++;
    }
    const timedOut = run.error?.code === 'ETIMEDOUT';
    return {
      ok: sheets.length > 0 && !timedOut,
      errors: sheets.length > 0 ? 0 : 1,
      warnings: 0,
      sheets: sheets.length,
      csvLines: rows,
      detail:
        sheets.length > 0
          ? undefined
          : `no sheet converted: ${timedOut ? `timed out after ${TIMEOUT / 1000} s` : `status ${run.status} ${run.stderr.slice(-300)}`}`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const consumers = {};
if (!statsOnly) {
  if (files.includes('findings.sarif')) {
    const sarif = join(out, 'findings.sarif');
    consumers.multitool = await timed(() => multitool(sarif));
    // Past the multitool's 10 MB default it validates nothing: then once more with the limit lifted, to say
    // whether the content itself is valid (reported apart; the default is what a reader runs).
    if (sizeOf('findings.sarif') > 10_000 * 1024)
      consumers.multitoolNoSizeLimit = await timed(() => multitool(sarif, ['--max-file-size-in-kb', '4000000']));
  }
  if (files.includes('hdf.json')) {
    consumers.inspecjs = await timed(() => inspecjs(join(out, 'hdf.json')));
    consumers.saf = await timed(() => saf(join(out, 'hdf.json')));
  }
  if (files.includes('assessment-results.json'))
    consumers.oscal = await timed(() => oscal(join(out, 'assessment-results.json')));
  for (const f of files.filter((f) => f.endsWith('.xlsx')))
    consumers[`libreoffice ${f}`] = await timed(() => libreOffice(join(out, f)));
}

console.log(JSON.stringify({ out, stats, consumers }));
