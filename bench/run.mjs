// `npm run bench`: generates the synthetic submissions (deterministic, once), measures every stage in
// fresh processes, has the real consumers read the outputs, prints the figures with their ratios to the
// floors, and writes docs/performance.md (the hand-written analysis below its marker is kept).
// Usage: node bench/run.mjs [SCENARIO...]   (the default set, or any of SCENARIOS by name)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { generate, isGenerated } from './generate.mjs';

const benchStart = performance.now();
const loadAtStart = loadavg()[0];
const root = process.env.IXAUDIT_BENCH_DIR ?? join('/tmp', 'ixaudit-bench');
const outRoot = `${root}-out`;
const HEAVY = 'failure-heavy SS7';
const SCENARIOS = [
  // Issue 15: failure-heavy tables, every default output, the real consumers at 20,000 and 1,000,000 routes.
  { name: 'heavy-20k', label: `1 operator × 20,000 routes (${HEAVY})`, routes: 20_000, consumers: true },
  { name: 'heavy-200k', label: `1 operator × 200,000 routes (${HEAVY})`, routes: 200_000, noSharing: true },
  { name: 'heavy-1m', label: `1 operator × 1,000,000 routes (${HEAVY})`, routes: 1_000_000, consumers: true },
  {
    name: 'sector-50x20k-heavy',
    label: `50 operators × 20,000 routes (${HEAVY}, default jobs: 2 workers)`,
    routes: 1_000_000,
    jobs: 'default',
  },
  {
    // Ten operators of the sector run's size: its operator files on worker threads side by side, in minutes.
    name: 'sector-10x20k-heavy',
    label: `10 operators × 20,000 routes (${HEAVY}, default jobs)`,
    routes: 200_000,
    jobs: 'default',
    optional: true,
  },
  {
    name: 'sector-5x4k-heavy',
    label: `5 operators × 4,000 routes (${HEAVY}, default jobs)`,
    routes: 20_000,
    jobs: 'default',
    consumers: true,
    optional: true,
  },
  // Issue 7's scenarios (half the links unencrypted, about 0.6 failures a route), run only when named.
  { name: 'scale-100k', label: '1 operator × 100,000 routes (YAML)', optional: true },
  { name: 'scale-300k', label: '1 operator × 300,000 routes (YAML)', optional: true },
  { name: 'single-1m', label: '1 operator × 1,000,000 routes (YAML)', optional: true },
  { name: 'csv-1m', label: '1 operator × 1,000,000 routes (CSV)', optional: true },
  { name: 'csv-1m-encrypted', label: '1 operator × 1,000,000 routes (CSV, 95 % of links encrypted)', optional: true },
  { name: 'sector-50x20k', label: '50 operators × 20,000 routes (YAML, 2 workers)', jobs: '2', optional: true },
];
const only = process.argv.slice(2);
const unknown = only.filter((n) => !SCENARIOS.some((s) => s.name === n));
if (unknown.length)
  throw new Error(`unknown scenario(s) ${unknown.join(', ')}: ${SCENARIOS.map((s) => s.name).join(', ')}`);
const scenarios = only.length ? SCENARIOS.filter((s) => only.includes(s.name)) : SCENARIOS.filter((s) => !s.optional);

const missing = scenarios.filter((s) => !isGenerated(root, s.name));
if (missing.length) {
  console.error(`generating ${missing.map((s) => s.name).join(', ')} in ${root} …`);
  await generate(
    root,
    missing.map((s) => s.name),
  );
}

/**
 * One script in a fresh process; its last line of output is its JSON; the time is the process's, start to
 * exit. Its stderr is shown as it comes (the audit says each stage as it ends) and kept: an audit that
 * crashes (a heap out of memory) or passes IXAUDIT_BENCH_TIMEOUT minutes (default 90) is recorded with the
 * stages it finished instead of ending the bench.
 */
function child(script, args, env = {}) {
  const start = performance.now();
  const limitMs = Number(process.env.IXAUDIT_BENCH_TIMEOUT ?? 90) * 60_000;
  return new Promise((resolveRun) => {
    const proc = spawn(process.execPath, [script, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => {
      stderr += d;
      process.stderr.write(d);
    });
    const timer = setTimeout(() => proc.kill('SIGKILL'), limitMs);
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = Math.round(performance.now() - start);
      const last = stdout.trim().split('\n').pop();
      if (code === 0 && last) return resolveRun({ ...JSON.parse(last), wallMs });
      // The stages it finished, from its progress lines ("    name: 1234 ms, peak RSS 567 MB").
      const timings = {};
      const peakRssByMB = {};
      for (const m of stderr.matchAll(/^ {4}(.+): (\d+) ms, peak RSS (\d+) MB$/gm)) {
        timings[m[1]] = Number(m[2]);
        peakRssByMB[m[1]] = Number(m[3]);
      }
      const counts = /^ {4}counts (\{.*\})$/m.exec(stderr);
      if (counts) Object.assign(timings, JSON.parse(counts[1]));
      const why =
        signal === 'SIGKILL' && wallMs >= limitMs
          ? `stopped after ${limitMs / 60_000} minutes (IXAUDIT_BENCH_TIMEOUT)`
          : /heap out of memory/i.test(stderr)
            ? 'JavaScript heap out of memory'
            : `exit ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' ').slice(0, 300)}`;
      resolveRun({
        failed: why,
        timings,
        peakRssByMB,
        heapAfterMB: {},
        maxRssMB: Math.max(0, ...Object.values(peakRssByMB)),
        wallMs,
      });
    });
  });
}

function measure(mode, dir, { jobs, env } = {}) {
  // Node's default heap limit, as `ixaudit` itself runs (about 4 GB on this machine).
  return child('bench/measure.mjs', [mode, dir, ...(jobs ? [jobs] : [])], env);
}

const n = (x) => (x === undefined || x === null ? '—' : Math.round(x).toLocaleString('en-US'));
const mb = (bytes) =>
  bytes === undefined ? '—' : bytes >= 1e7 ? `${n(bytes / 1e6)} MB` : `${(bytes / 1e6).toFixed(2)} MB`;
const sec = (ms) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);
const STAGES = ['load + validate', 'enrich + evaluate', 'assemble', 'audit (parallel)'];
/** The stages of publishReports: the presentation model, each reporter, the manifest and the swap. */
const isPublishStage = (k) => k === 'presentation model' || k.startsWith('report:') || k === 'manifest + publish';

const ratio = (ms, r) => (r.floor ? (ms / r.floor.timings.jsyaml).toFixed(2) : '—');

// The SAF CLI is not a dependency of ixaudit (some 650 packages): installed into tools/hdf once, before
// the first audit, so that its install is never timed. Without it (no registry), its check is "not run".
if (scenarios.some((s) => s.consumers)) {
  try {
    execFileSync('bash', [join(import.meta.dirname, '..', 'scripts', 'hdf-tools.sh')], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  } catch (error) {
    console.error(`bench: could not install the SAF CLI (${error.message}); its check will say so`);
  }
}

const rows = [];
for (const s of scenarios) {
  const dir = join(root, s.name);
  const out = join(outRoot, s.name);
  const loadBefore = loadavg()[0];
  console.error(`measuring ${s.name} (load average ${loadBefore.toFixed(2)}) …`);
  const read = await measure('read', dir);
  const floor = s.name.startsWith('csv') ? undefined : await measure('jsyaml', dir);
  const audit = await measure('audit', dir, {
    jobs: s.jobs,
    env: { IXAUDIT_BENCH_OUT: out, ...(s.reporters ? { IXAUDIT_BENCH_REPORTERS: s.reporters } : {}) },
  });
  console.error(
    `  audit: ${sec(audit.wallMs)}, peak RSS ${audit.maxRssMB} MB${audit.failed ? `, did not finish: ${audit.failed}` : ''}; reading the outputs …`,
  );
  const read2 = audit.failed
    ? { failed: 'no outputs: the audit did not finish' }
    : await child('bench/consumers.mjs', [out, ...(s.consumers ? [] : ['--stats-only'])]);
  const consumers = read2.failed ? { stats: { files: {} }, consumers: {}, failed: read2.failed } : read2;
  // Shape sharing off (src/engine/evaluate.ts shapeSharing): only enrich + evaluate differs, so no reporter.
  const unshared = s.noSharing
    ? await measure('audit', dir, { env: { IXAUDIT_BENCH_NO_SHARING: '1', IXAUDIT_BENCH_REPORTERS: 'none' } })
    : undefined;
  const row = { ...s, read, floor, audit, consumers, unshared, loadBefore, loadAfter: loadavg()[0] };
  rows.push(row);
  const t = audit.timings;
  console.log(
    `${s.label}: ${mb(read.bytes)}; js-yaml ${floor ? `${floor.timings.jsyaml} ms` : '—'}; every output ${audit.failed ? `did not finish (${audit.failed}) after` : ''} ${sec(audit.wallMs)} (${ratio(audit.wallMs, row)}× js-yaml), peak RSS ${audit.maxRssMB} MB; outputs ${mb(consumers.stats.totalBytes)}`,
  );
  for (const [k, v] of Object.entries(t)) console.log(`    ${k}: ${v}`);
  for (const [k, v] of Object.entries(consumers.consumers))
    console.log(
      `    consumer ${k}: ${v.ok === null ? 'not run' : v.ok ? 'pass' : 'FAIL'} ${sec(v.ms)} ${JSON.stringify(v)}`,
    );
  if (unshared) console.log(`    without shape sharing: enrich + evaluate ${unshared.timings['enrich + evaluate']} ms`);
}

const toFindingsJson = (t) => STAGES.reduce((sum, k) => sum + (t[k] ?? 0), 0) + (t['report: json'] ?? 0);
let commit = 'unknown';
let dirty = '';
try {
  commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  dirty = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(3))
    .join(', ');
} catch {
  // not a git checkout
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const benchMinutes = (performance.now() - benchStart) / 60000;
const lines = [
  '# Performance',
  '',
  'Measured by `npm run bench` (bench/run.mjs): deterministic synthetic submissions (bench/generate.mjs), each',
  'stage in a fresh process so peak RSS is its own, then the outputs read by their real consumers',
  '(bench/consumers.mjs) in another. The failure-heavy tables of issue 15 are SS7 routing tables of ~270 bytes',
  'a route: 85 % of links unencrypted, most backups a sister brand of the primary without an agreement,',
  'transit onward to carriers nobody approved, a few high-risk primaries; about 2.9 failing (control, route)',
  'pairs a route from a few hundred causes, since the routes share a few carriers. Every default output is',
  'written (all reporters and the manifest, as `ixaudit audit` without `--format`).',
  '',
  `Machine: ${machine}. Date of run: ${new Date().toISOString().slice(0, 10)}. Load average when the run started: ${loadAtStart.toFixed(2)}.`,
  `Measured on commit \`${commit}\`${dirty ? ` with uncommitted changes to ${dirty}` : ''}.`,
  `This whole \`npm run bench\` took ${benchMinutes.toFixed(1)} minutes${missing.length ? ` (generating ${missing.map((s) => s.name).join(', ')} included)` : ' (data already generated)'}; each audit runs with Node's default heap limit, as \`ixaudit\` does.`,
  '',
  '"every output" is the audit process from start to exit (Node start, loading, evaluating, every reporter,',
  'the manifest); "× floor" divides it by js-yaml\'s `loadAll` of the same files.',
  '',
  '| scenario | input | read bytes | js-yaml load (floor) | load + validate | enrich + evaluate | findings.json | to findings.json | every output | × floor | peak RSS | load average (before → after) |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
];
for (const r of rows) {
  const t = r.audit.timings;
  const loadEval =
    t['audit (parallel)'] !== undefined
      ? `${n(t['audit (parallel)'])} ms (all stages, parallel)`
      : `${n(t['load + validate'])} ms`;
  const evaluate = t['enrich + evaluate'] !== undefined ? `${n(t['enrich + evaluate'])} ms` : '—';
  lines.push(
    `| ${r.label} | ${mb(r.read.bytes)} | ${n(r.read.timings.read)} ms | ${r.floor ? `${n(r.floor.timings.jsyaml)} ms (${n(r.floor.maxRssMB)} MB)` : '—'} | ${loadEval} | ${evaluate} | ${t['report: json'] === undefined ? 'not run' : `${n(t['report: json'])} ms`} | ${t['report: json'] === undefined ? '—' : sec(toFindingsJson(t))} | ${r.audit.failed ? `did not finish: ${r.audit.failed} (after ${sec(r.audit.wallMs)})` : sec(r.audit.wallMs)} | ${r.audit.failed ? '—' : ratio(r.audit.wallMs, r)} | ${r.audit.failed ? '≥ ' : ''}${n(r.audit.maxRssMB)} MB | ${r.loadBefore.toFixed(2)} → ${r.loadAfter.toFixed(2)} |`,
  );
}
const reporterColumns = [...new Set(rows.flatMap((r) => Object.keys(r.audit.timings).filter(isPublishStage)))];
lines.push(
  '',
  '## Every reporter',
  '',
  'Findings are causes; occurrences are the subjects they list (failing: of findings with status fail).',
  '',
  `| scenario | findings | occurrences | failing occurrences a route | ${reporterColumns.join(' | ')} |`,
  `|---|---|---|---|${reporterColumns.map(() => '---').join('|')}|`,
);
for (const r of rows) {
  const t = r.audit.timings;
  lines.push(
    `| ${r.label} | ${n(t.findings)} | ${n(t.occurrences)} | ${t.routes ? (t.failingOccurrences / t.routes).toFixed(2) : '—'} | ${reporterColumns.map((k) => (t[k] === undefined ? (r.audit.failed ? 'did not finish' : 'not run') : `${n(t[k])} ms`)).join(' | ')} |`,
  );
}
const stageColumns = [...new Set(rows.flatMap((r) => Object.keys(r.audit.peakRssByMB ?? {})))];
lines.push(
  '',
  '## Memory by stage',
  '',
  'Peak RSS reached by the end of each stage (the stage where it jumps sets the peak), and in brackets the heap in use right after it (live data plus garbage not yet collected).',
  '',
  `| scenario | ${stageColumns.join(' | ')} |`,
  `|---|${stageColumns.map(() => '---').join('|')}|`,
);
for (const r of rows) {
  const peak = r.audit.peakRssByMB ?? {};
  const heap = r.audit.heapAfterMB ?? {};
  lines.push(
    `| ${r.label} | ${stageColumns.map((k) => (peak[k] === undefined ? '—' : `${n(peak[k])} MB (${n(heap[k])} MB)`)).join(' | ')} |`,
  );
}

// Output sizes: top-level files by name, per-operator files summed by name ("per operator: report.pdf × 50").
const groupFiles = (files) => {
  const groups = {};
  for (const [path, bytes] of Object.entries(files)) {
    const key = path.includes('/') ? `per operator: ${path.slice(path.lastIndexOf('/') + 1)}` : path;
    const g = (groups[key] ??= { bytes: 0, count: 0 });
    g.bytes += bytes;
    g.count++;
  }
  return groups;
};
const fileColumns = [...new Set(rows.flatMap((r) => Object.keys(groupFiles(r.consumers.stats.files))))].sort(
  (a, b) => a.startsWith('per operator') - b.startsWith('per operator') || a.localeCompare(b),
);
lines.push(
  '',
  '## Output sizes',
  '',
  'Bytes of every file the audit wrote (per-operator files summed over the operators, their number in brackets), all together, and against the input.',
  '',
  `| scenario | input | ${fileColumns.join(' | ')} | all outputs | outputs / input |`,
  `|---|---|${fileColumns.map(() => '---').join('|')}|---|---|`,
);
for (const r of rows) {
  const g = groupFiles(r.consumers.stats.files);
  const total = r.consumers.stats.totalBytes;
  lines.push(
    `| ${r.label} | ${mb(r.read.bytes)} | ${fileColumns.map((k) => (g[k] ? `${mb(g[k].bytes)}${g[k].count > 1 ? ` (${g[k].count})` : ''}` : '—')).join(' | ')} | ${r.consumers.failed ?? mb(total)} | ${total === undefined ? '—' : (total / r.read.bytes).toFixed(2)} |`,
  );
}
lines.push(
  '',
  '## SARIF and findings.json',
  '',
  '| scenario | SARIF results | SARIF locations | findings.sarif | gzipped | findings.json | occurrences in it | bytes per occurrence | failing occurrences | failing a route |',
  '|---|---|---|---|---|---|---|---|---|---|',
);
for (const r of rows) {
  const { sarif, findingsJson } = r.consumers.stats;
  const failing = findingsJson?.byStatus?.fail;
  lines.push(
    `| ${r.label} | ${n(sarif?.results)}${sarif?.countedInText ? ' (counted in the text: too long to parse)' : ''} | ${n(sarif?.locations)} | ${mb(sarif?.bytes)} | ${mb(sarif?.gzipBytes)} | ${mb(findingsJson?.bytes)} | ${n(findingsJson?.occurrences)} | ${findingsJson ? findingsJson.bytesPerOccurrence.toFixed(1) : '—'} | ${n(failing)} | ${failing ? (failing / r.audit.timings.routes).toFixed(2) : '—'} |`,
  );
}

// The consumers, each after the audit in its own process.
const consumerText = (c) => {
  if (c.ok === null) return ['not run', '—', '—', c.detail];
  const facts = [];
  if (c.problems && Object.keys(c.problems).length)
    facts.push(
      Object.entries(c.problems)
        .map(([k, v]) => `${k} × ${n(v)}`)
        .join(', '),
    );
  if (c.notes !== undefined) facts.push(`${n(c.notes)} notes`);
  if (c.controls !== undefined)
    facts.push(
      `${n(c.controls)} controls, ${n(c.results)} results (${Object.entries(c.statuses)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
    );
  if (c.uuids !== undefined)
    facts.push(
      `${c.schemaErrors ? `${n(c.schemaErrors)} schema errors (${c.firstSchemaErrors.join('; ')})` : 'schema valid'}; ${n(c.uuids)} uuids (${n(c.duplicates)} duplicated), ${n(c.references)} references (${n(c.unresolved)} unresolved), ${n(c.relativeHrefs)} relative hrefs (${c.missingHrefs.length} missing)`,
    );
  if (c.sheets !== undefined) facts.push(`${c.sheets} sheets converted to CSV, ${n(c.csvLines)} lines`);
  if (c.detail) facts.push(c.detail);
  return [c.ok ? 'pass' : '**fail**', n(c.errors), n(c.warnings), facts.join('; ')];
};
const CONSUMER_NAMES = {
  multitool: '`sarif-multitool validate` (Sarif;Gh rules, default 10 MB limit)',
  multitoolNoSizeLimit: '… again with `--max-file-size-in-kb` lifted (content check only)',
  inspecjs: '`inspecjs` convertFile + contextualizeEvaluation',
  saf: '`saf view summary` (@mitre/saf 1.5.3)',
  oscal: 'OSCAL AR: official schema, uuid references, hrefs',
};
const withConsumers = rows.filter((r) => Object.keys(r.consumers.consumers).length);
if (withConsumers.length) {
  lines.push(
    '',
    '## Consumers',
    '',
    'Each reads the outputs of the audit above, after it, in its own process (bench/consumers.mjs), as the tests call it.',
    '',
    '| scenario | consumer | time | result | errors | warnings | what it reported |',
    '|---|---|---|---|---|---|---|',
  );
  for (const r of withConsumers)
    for (const [k, c] of Object.entries(r.consumers.consumers))
      lines.push(
        `| ${r.label} | ${CONSUMER_NAMES[k] ?? k.replace(/^libreoffice (.*)$/, 'LibreOffice opens `$1`')} | ${sec(c.ms)} | ${consumerText(c).join(' | ')} |`,
      );
}
const sharing = rows.filter((r) => r.unshared);
if (sharing.length) {
  lines.push(
    '',
    '## Shape sharing',
    '',
    'enrich + evaluate with `shapeSharing.enabled` (src/engine/evaluate.ts) as shipped and turned off (every route judged on its own; `IXAUDIT_BENCH_NO_SHARING=1`), each in a fresh process.',
    '',
    '| scenario | enrich + evaluate, sharing | without sharing | without / with | peak RSS by then, sharing | without |',
    '|---|---|---|---|---|---|',
  );
  for (const r of sharing) {
    const [a, b] = [r.audit, r.unshared];
    lines.push(
      `| ${r.label} | ${n(a.timings['enrich + evaluate'])} ms | ${n(b.timings['enrich + evaluate'])} ms | ${(b.timings['enrich + evaluate'] / a.timings['enrich + evaluate']).toFixed(2)} | ${n(a.peakRssByMB['enrich + evaluate'])} MB | ${n(b.peakRssByMB['enrich + evaluate'])} MB |`,
    );
  }
}

// Issue 15's targets, measured; what costs most beside each one that is not met.
const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
const topStages = (r, count = 3) =>
  Object.entries(r.audit.timings)
    .filter(([k]) => STAGES.includes(k) || isPublishStage(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([k, v]) => `${k} ${sec(v)}`)
    .join(', ');
const topFiles = (r, count = 4) =>
  Object.entries(groupFiles(r.consumers.stats.files))
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .slice(0, count)
    .map(([k, v]) => `${k} ${mb(v.bytes)}`)
    .join(', ');
const targets = [];
/** met: true, false, or null when it could not be checked. */
const target = (text, measured, met, why = '') => targets.push({ text, measured, met, why: met ? '' : why });
const GiB = 2 ** 30;
const finished = (r) =>
  r.audit.failed ? `did not finish: ${r.audit.failed}, after ${sec(r.audit.wallMs)}` : undefined;
const M = byName['heavy-1m'];
if (M) {
  target(
    '1,000,000 failure-heavy routes to every default output in ≤ 60 s',
    finished(M) ?? sec(M.audit.wallMs),
    !M.audit.failed && M.audit.wallMs <= 60_000,
    `largest stages${M.audit.failed ? ' finished' : ''}: ${topStages(M)}`,
  );
  const peakStage = Object.entries(M.audit.peakRssByMB).find(([, v]) => v === M.audit.maxRssMB)?.[0];
  target(
    '… in ≤ 2 GiB peak RSS',
    `${M.audit.failed ? '≥ ' : ''}${n(M.audit.maxRssMB)} MB`,
    !M.audit.failed && M.audit.maxRssMB * 2 ** 20 <= 2 * GiB,
    `reached by the end of ${peakStage}; ${Object.entries(M.audit.peakRssByMB)
      .slice(0, 3)
      .map(([k, v]) => `${k} ${n(v)} MB`)
      .join(', ')}`,
  );
}
const H = byName['heavy-200k'];
if (H) {
  const x = H.audit.wallMs / H.floor.timings.jsyaml;
  target(
    '200,000 routes in ≤ 3× the js-yaml floor, every output included',
    finished(H) ??
      `${sec(H.audit.wallMs)} = ${x.toFixed(2)}× the floor (${sec(H.floor.timings.jsyaml)}); to findings.json alone ${(toFindingsJson(H.audit.timings) / H.floor.timings.jsyaml).toFixed(2)}×`,
    !H.audit.failed && x <= 3,
    `largest stages: ${topStages(H, 4)}`,
  );
}
const S = byName['sector-50x20k-heavy'];
if (S)
  target(
    '50 operators × 20,000 routes in ≤ 60 s (every output)',
    finished(S) ?? sec(S.audit.wallMs),
    !S.audit.failed && S.audit.wallMs <= 60_000,
    `largest stages: ${topStages(S)}`,
  );
if (H) {
  const total = H.consumers.stats.totalBytes;
  target(
    'all outputs of the 200,000-route run together ≤ its input',
    total === undefined
      ? H.consumers.failed
      : `${mb(total)} from ${mb(H.read.bytes)} (${(total / H.read.bytes).toFixed(2)}×)`,
    total === undefined ? null : total <= H.read.bytes,
    total === undefined ? '' : `largest: ${topFiles(H)}`,
  );
}
if (M) {
  const { sarif, findingsJson, files } = M.consumers.stats;
  const size = (f, limit) =>
    target(
      `… ${f} ≤ ${limit / 1e6} MB`,
      files[f] === undefined ? (M.consumers.failed ?? 'not written') : mb(files[f]),
      files[f] === undefined ? null : files[f] <= limit,
      'see the analysis',
    );
  target(
    'at 1,000,000 routes findings.sarif ≤ 10 MB gzipped',
    sarif ? mb(sarif.gzipBytes) : (M.consumers.failed ?? 'not written'),
    sarif ? sarif.gzipBytes <= 10e6 : null,
    sarif ? `${mb(sarif.bytes)} uncompressed` : '',
  );
  target(
    '… and ≤ 25,000 results',
    sarif ? n(sarif.results) : '—',
    sarif?.results == null ? null : sarif.results <= 25_000,
  );
  size('assessment-results.json', 50e6);
  size('hdf.json', 50e6);
  target(
    '… findings.json ≤ 150 bytes per occurrence',
    findingsJson
      ? `${findingsJson.bytesPerOccurrence.toFixed(1)} B (${mb(findingsJson.bytes)} for ${n(findingsJson.occurrences)} occurrences)`
      : (M.consumers.failed ?? 'not written'),
    findingsJson ? findingsJson.bytesPerOccurrence <= 150 : null,
    'see the analysis',
  );
}
for (const name of ['heavy-20k', 'heavy-1m']) {
  const r = byName[name];
  if (!r) continue;
  const c = r.consumers.consumers;
  const at = `${n(r.routes)} routes`;
  if (!Object.keys(c).length) {
    target(`${at}: the consumers`, r.consumers.failed ?? 'not run', null);
    continue;
  }
  const checked = (v) => (v === undefined || v.ok === null ? null : v.ok === true);
  const said = (v) => (v === undefined ? 'not run' : v.ok === null ? `not run: ${v.detail}` : v.ok ? 'pass' : 'fail');
  if (c.multitool)
    target(
      `${at}: sarif-multitool validate, no error and no warning`,
      `${n(c.multitool.errors)} errors, ${n(c.multitool.warnings)} warnings${c.multitoolNoSizeLimit ? ` (limit lifted: ${n(c.multitoolNoSizeLimit.errors)} errors, ${n(c.multitoolNoSizeLimit.warnings)} warnings)` : ''}`,
      checked(c.multitool),
      [c.multitool, c.multitoolNoSizeLimit]
        .filter(Boolean)
        .flatMap((v) => Object.keys(v.problems ?? {}))
        .join(', '),
    );
  target(`${at}: inspecjs reads hdf.json`, said(c.inspecjs), checked(c.inspecjs), c.inspecjs?.detail);
  target(`${at}: saf view summary runs`, said(c.saf), checked(c.saf), c.saf?.detail);
  target(
    `${at}: OSCAL AR valid against the official schema, every uuid reference resolving`,
    c.oscal?.references === undefined
      ? said(c.oscal)
      : `${said(c.oscal)}: ${n(c.oscal.schemaErrors)} schema errors, ${n(c.oscal.unresolved)} of ${n(c.oscal.references)} references unresolved`,
    checked(c.oscal),
    c.oscal?.detail,
  );
  const books = Object.entries(c).filter(([k]) => k.startsWith('libreoffice '));
  const opened = books.filter(([, v]) => v.ok === true);
  target(
    `${at}: LibreOffice opens every workbook`,
    `${opened.length} of ${books.length} (${books.map(([k, v]) => `${k.slice('libreoffice '.length)} ${said(v)} in ${sec(v.ms)}`).join(', ')})`,
    books.some(([, v]) => v.ok === null) ? null : opened.length === books.length,
    books
      .filter(([, v]) => !v.ok)
      .map(([k, v]) => `${k.slice('libreoffice '.length)}: ${v.detail}`)
      .join('; '),
  );
}
lines.push(
  '',
  '## Against the targets of issue 15',
  '',
  'From the run above; "what costs" names the largest stages or files (the analysis below says why).',
  '',
  '| target | measured | met? | what costs |',
  '|---|---|---|---|',
  ...targets.map(
    (t) =>
      `| ${t.text} | ${t.measured} | ${t.met === null ? 'not checked' : t.met ? 'yes' : '**no**'} | ${t.why ?? ''} |`,
  ),
);

// The hand-written analysis after the marker survives a re-run; only the measured tables are replaced.
const MARKER = '<!-- analysis';
const previous = existsSync('docs/performance.md') ? readFileSync('docs/performance.md', 'utf8') : '';
const analysis = previous.includes(MARKER) ? previous.slice(previous.indexOf(MARKER)) : '';
writeFileSync('docs/performance.md', `${lines.join('\n')}\n${analysis ? `\n${analysis}` : ''}`);
writeFileSync(join(outRoot, 'bench-result.json'), JSON.stringify({ commit, benchMinutes, rows }, null, 1));
console.error(`wrote docs/performance.md (and every figure in ${join(outRoot, 'bench-result.json')})`);
