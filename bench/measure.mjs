// One measurement in a fresh process (so peak RSS belongs to it alone). Prints one JSON line.
// Usage: node bench/measure.mjs read|jsyaml|audit DIR [jobs]
//   IXAUDIT_BENCH_REPORTERS=json,sarif  only these reporters ("none": stop after assemble); all by default
//   IXAUDIT_BENCH_OUT=DIR               keep the outputs there (emptied first) for bench/consumers.mjs
//   IXAUDIT_BENCH_NO_SHARING=1          judge every route on its own (src/engine/evaluate.ts shapeSharing)
//   IXAUDIT_BENCH_NO_DIRECT_ROWS=1      every workbook row through exceljs (src/report/xlsx/row-xml.ts directRows)
//   IXAUDIT_BENCH_NO_DIRECT_CSV=1       every occurrences.csv and routes.csv record through csvRecord (src/report/csv/index.ts directCsv)
//   IXAUDIT_BENCH_NO_SIMPLE_SHAPING=1   every PDF word shaped by fontkit (src/report/pdf/shaping.ts simpleShaping)
//   IXAUDIT_BENCH_NO_OPERATOR_WORKERS=1 operators' PDFs and workbooks drawn in the main thread (src/report/operator-workers.ts)
//   IXAUDIT_BENCH_NO_PARSE_HELPER=1     a large table's pieces all parsed in the main thread (src/load/parse-helper.ts)
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import jsyaml from 'js-yaml';

const [mode, dir, jobs] = process.argv.slice(2);
const files = (function walk(d) {
  return readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
})(dir).filter((f) => /\.(ya?ml|csv)$/.test(f));
const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
const timings = {};
// Heap in use after each stage (what the stage leaves alive, plus garbage not yet collected), and the
// peak RSS reached by the end of each stage (so the stage that sets the peak can be told).
const heapAfter = {};
const peakBy = {};
// The size of every file the audit wrote, by its path in the output folder.
let outputFiles;
/** Records a stage that took `ms`, with the heap and peak RSS by its end, and says so on stderr. */
const record = (name, ms) => {
  timings[name] = Math.round(ms);
  heapAfter[name] = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
  peakBy[name] = Math.round(process.resourceUsage().maxRSS / 1024);
  if (mode === 'audit') console.error(`    ${name}: ${timings[name]} ms, peak RSS ${peakBy[name]} MB`);
};
const time = async (name, fn) => {
  const start = performance.now();
  const value = await fn();
  record(name, performance.now() - start);
  return value;
};

if (mode === 'read') {
  await time('read', () => {
    for (const f of files) readFileSync(f);
  });
} else if (mode === 'jsyaml') {
  await time('jsyaml', () => {
    for (const f of files.filter((f) => /\.ya?ml$/.test(f))) jsyaml.loadAll(readFileSync(f, 'utf8'));
  });
} else {
  const { prepareAudit, auditAll, assembleReport } = await import('../dist/audit/run-audit.js');
  const { runAuditParallel } = await import('../dist/audit/parallel.js');
  const { REPORTERS } = await import('../dist/report/index.js');
  const { publishReports } = await import('../dist/report/publish.js');
  if (process.env.IXAUDIT_BENCH_NO_SHARING === '1') {
    // Worker threads load their own copy of the module: this only holds for an audit in this thread.
    if (jobs) throw new Error('IXAUDIT_BENCH_NO_SHARING=1 needs an audit in this thread (no jobs argument)');
    const { shapeSharing } = await import('../dist/engine/evaluate.js');
    shapeSharing.enabled = false;
  }
  if (process.env.IXAUDIT_BENCH_NO_DIRECT_ROWS === '1') {
    const { directRows } = await import('../dist/report/xlsx/row-xml.js');
    directRows.enabled = false;
  }
  if (process.env.IXAUDIT_BENCH_NO_DIRECT_CSV === '1') {
    const { directCsv } = await import('../dist/report/csv/index.js');
    directCsv.enabled = false;
  }
  if (process.env.IXAUDIT_BENCH_NO_OPERATOR_WORKERS === '1') {
    const { operatorWorkers } = await import('../dist/report/operator-workers.js');
    operatorWorkers.enabled = false;
  }
  if (process.env.IXAUDIT_BENCH_NO_SIMPLE_SHAPING === '1') {
    const { simpleShaping } = await import('../dist/report/pdf/shaping.js');
    simpleShaping.enabled = false;
  }
  if (process.env.IXAUDIT_BENCH_NO_PARSE_HELPER === '1') {
    const { parseHelper } = await import('../dist/load/parse-helper.js');
    parseHelper.enabled = false;
  }
  // Loading may use as many threads as the CLI lets it (runAuditParallel: --jobs, by default the cores).
  const { availableParallelism } = await import('node:os');
  const loadThreads = jobs && jobs !== 'default' ? Number(jobs) : availableParallelism();
  const options = { paths: [dir], today: '2026-07-01', loadThreads };
  // The stages of runAuditParallel (what `ixaudit audit` calls), timed one by one; in a function, so that
  // what the CLI would no longer hold (the prepared audit, the outcomes) is garbage while the reports are
  // written. "default" lets chooseJobs decide as the CLI does; a number is --jobs.
  const report = await (async () => {
    if (jobs)
      return time('audit (parallel)', () => runAuditParallel(options, jobs === 'default' ? undefined : Number(jobs)));
    const prepared = await time('load + validate', () => prepareAudit(options));
    const outcomes = await time('enrich + evaluate', () => auditAll(prepared));
    return time('assemble', () => assembleReport(prepared, outcomes));
  })();
  const keep = process.env.IXAUDIT_BENCH_OUT;
  const out = keep ?? mkdtempSync(join(tmpdir(), 'ixaudit-bench-out-'));
  if (keep) rmSync(keep, { recursive: true, force: true }), mkdirSync(keep, { recursive: true });
  // Which reporters to time: every one by default, as `ixaudit audit` writes without --format.
  const only = process.env.IXAUDIT_BENCH_REPORTERS?.split(',');
  timings.findings = report.result.findings.length;
  timings.routes = report.inventory.routes.length;
  // Occurrences (the subjects a finding lists), and those of failing findings: what the outputs grow with.
  let occurrences = 0;
  let failing = 0;
  for (const f of report.result.findings) {
    occurrences += f.occurrences.length;
    if (f.status === 'fail') failing += f.occurrences.length;
  }
  Object.assign(timings, { occurrences, failingOccurrences: failing });
  // On stderr too, for a run that does not finish (bench/run.mjs keeps what it printed).
  console.error(
    `    counts ${JSON.stringify({ findings: timings.findings, routes: timings.routes, occurrences, failingOccurrences: failing })}`,
  );
  if (!only?.includes('none')) {
    // Through publishReports, as the CLI writes them (the presentation model, each reporter into a staging
    // folder, the manifest, the swap into the folder); each reporter timed from its start to the next's,
    // with a last one that writes nothing to mark the end of the real last one.
    const reporters = REPORTERS.filter((r) => !only || only.includes(r.name));
    const END = '(end)';
    const end = { name: END, write: async () => [] };
    let stage = 'presentation model';
    let started = performance.now();
    const next = (name) => {
      const now = performance.now();
      record(stage, now - started);
      [stage, started] = [name, now];
    };
    // With a jobs argument the operators' own files are drawn on as many workers as the CLI would use.
    const { workerCount } = await import('../dist/model/workers.js');
    const reportJobs = jobs
      ? workerCount(
          report.result.summary.operators.length,
          timings.routes,
          jobs === 'default' ? undefined : Number(jobs),
        )
      : undefined;
    await publishReports([...reporters, end], report, out, reportJobs ? { jobs: reportJobs } : {}, undefined, {
      onReporter: (name) => next(name === END ? 'manifest + publish' : `report: ${name}`),
    });
    next(undefined);
  }
  const files = {};
  (function walk(d) {
    for (const f of readdirSync(d).sort()) {
      const path = join(d, f);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(out, path)] = statSync(path).size;
    }
  })(out);
  timings.outputBytes = Object.values(files).reduce((n, b) => n + b, 0);
  if (!keep) rmSync(out, { recursive: true, force: true });
  outputFiles = files;
}
console.log(
  JSON.stringify({
    mode,
    dir,
    bytes,
    timings,
    ...(outputFiles ? { outputFiles } : {}),
    heapAfterMB: heapAfter,
    peakRssByMB: peakBy,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
