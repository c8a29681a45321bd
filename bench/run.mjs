// `npm run bench`: generates the synthetic submissions (deterministic, once), measures every stage in
// fresh processes, prints the figures with their ratios to the floors, and writes docs/performance.md.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { generate } from './generate.mjs';

const benchStart = performance.now();
const loadAtStart = loadavg()[0];
const root = process.env.IXAUDIT_BENCH_DIR ?? join('/tmp', 'ixaudit-bench');
const SCENARIOS = [
  { name: 'scale-100k', label: '1 operator × 100,000 routes (YAML)' },
  { name: 'scale-300k', label: '1 operator × 300,000 routes (YAML)' },
  { name: 'single-1m', label: '1 operator × 1,000,000 routes (YAML)', reporters: 'json,csv,sarif,hdf' },
  { name: 'csv-1m', label: '1 operator × 1,000,000 routes (CSV)', reporters: 'json' },
  {
    name: 'csv-1m-encrypted',
    label: '1 operator × 1,000,000 routes (CSV, 95 % of links encrypted)',
    reporters: 'json',
  },
  {
    name: 'sector-50x20k',
    label: '50 operators × 20,000 routes (YAML, 2 workers)',
    jobs: '2',
    reporters: 'json,csv,sarif,hdf,html',
  },
];
const only = process.argv.slice(2);
const scenarios = only.length ? SCENARIOS.filter((s) => only.includes(s.name)) : SCENARIOS;

const missing = scenarios.filter((s) => !existsSync(join(root, s.name)));
if (missing.length) {
  console.error(`generating ${missing.map((s) => s.name).join(', ')} in ${root} …`);
  await generate(
    root,
    missing.map((s) => s.name),
  );
}

function measure(mode, dir, jobs, reporters) {
  // Node's default heap limit, as `ixaudit` itself runs (about 4 GB on this machine).
  const args = ['bench/measure.mjs', mode, dir, ...(jobs ? [jobs] : [])];
  const env = { ...process.env, ...(reporters ? { IXAUDIT_BENCH_REPORTERS: reporters } : {}) };
  return JSON.parse(
    execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24, env })
      .trim()
      .split('\n')
      .pop(),
  );
}

const rows = [];
for (const s of scenarios) {
  const dir = join(root, s.name);
  console.error(`measuring ${s.name} …`);
  const read = measure('read', dir);
  const floor = s.name.startsWith('csv') ? undefined : measure('jsyaml', dir);
  const audit = measure('audit', dir, s.jobs, s.reporters);
  rows.push({ ...s, read, floor, audit });
  const t = audit.timings;
  const toFindings =
    (t['load + validate'] ?? 0) +
    (t['enrich + evaluate'] ?? 0) +
    (t.assemble ?? 0) +
    (t['audit (parallel)'] ?? 0) +
    (t['report: json'] ?? 0);
  console.log(
    `${s.label}: ${(read.bytes / 1e6).toFixed(0)} MB; read ${read.timings.read} ms; js-yaml ${floor ? `${floor.timings.jsyaml} ms, ${floor.maxRssMB} MB` : '—'}; to findings.json ${toFindings} ms (${floor ? (toFindings / floor.timings.jsyaml).toFixed(2) : '—'}× js-yaml), peak RSS ${audit.maxRssMB} MB`,
  );
  for (const [k, v] of Object.entries(t)) console.log(`    ${k}: ${v}`);
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const lines = [
  '# Performance',
  '',
  'Measured by `npm run bench` (bench/run.mjs): deterministic synthetic submissions (bench/generate.mjs —',
  'carriers behind five-level holding chains, most routes through five IPX providers, 2 % high-risk',
  'primaries, half the links unencrypted), each stage in a fresh process so peak RSS is its own.',
  '',
  `Machine: ${machine}. Date of run: ${new Date().toISOString().slice(0, 10)}. Load average when the run started: ${loadAtStart.toFixed(2)}.`,
  `This whole \`npm run bench\` took ${((performance.now() - benchStart) / 60000).toFixed(1)} minutes${missing.length ? ` (generating ${missing.map((s) => s.name).join(', ')} included)` : ' (data already generated)'}; each audit runs with Node's default heap limit, as \`ixaudit\` does.`,
  '',
  '| scenario | input | read bytes | js-yaml load (floor) | load + validate | enrich + evaluate | findings.json | to findings.json | × floor | peak RSS |',
  '|---|---|---|---|---|---|---|---|---|---|',
];
for (const r of rows) {
  const t = r.audit.timings;
  const loadEval =
    t['audit (parallel)'] !== undefined
      ? `${t['audit (parallel)']} ms (all stages, parallel)`
      : `${t['load + validate']} ms`;
  const evaluate = t['enrich + evaluate'] !== undefined ? `${t['enrich + evaluate']} ms` : '—';
  const toFindings =
    (t['load + validate'] ?? 0) +
    (t['enrich + evaluate'] ?? 0) +
    (t.assemble ?? 0) +
    (t['audit (parallel)'] ?? 0) +
    (t['report: json'] ?? 0);
  lines.push(
    `| ${r.label} | ${(r.read.bytes / 1e6).toFixed(0)} MB | ${r.read.timings.read} ms | ${r.floor ? `${r.floor.timings.jsyaml} ms (${r.floor.maxRssMB} MB)` : '—'} | ${loadEval} | ${evaluate} | ${t['report: json']} ms | ${(toFindings / 1000).toFixed(1)} s | ${r.floor ? (toFindings / r.floor.timings.jsyaml).toFixed(2) : '—'} | ${r.audit.maxRssMB} MB |`,
  );
}
const reporterColumns = [
  ...new Set(
    rows.flatMap((r) => Object.keys(r.audit.timings).filter((k) => k.startsWith('report:') || k === 'manifest')),
  ),
];
lines.push(
  '',
  '## Every reporter',
  '',
  `| scenario | findings listed | ${reporterColumns.join(' | ')} |`,
  `|---|---|${reporterColumns.map(() => '---').join('|')}|`,
);
for (const r of rows) {
  const t = r.audit.timings;
  lines.push(
    `| ${r.label} | ${t.findings} | ${reporterColumns.map((k) => (t[k] === undefined ? 'not run' : `${t[k]} ms`)).join(' | ')} |`,
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
    `| ${r.label} | ${stageColumns.map((k) => (peak[k] === undefined ? '—' : `${peak[k]} MB (${heap[k]} MB)`)).join(' | ')} |`,
  );
}
// The hand-written analysis after the marker survives a re-run; only the measured tables are replaced.
const MARKER = '<!-- analysis';
const previous = existsSync('docs/performance.md') ? readFileSync('docs/performance.md', 'utf8') : '';
const analysis = previous.includes(MARKER) ? previous.slice(previous.indexOf(MARKER)) : '';
writeFileSync('docs/performance.md', `${lines.join('\n')}\n${analysis ? `\n${analysis}` : ''}`);
console.error('wrote docs/performance.md');
