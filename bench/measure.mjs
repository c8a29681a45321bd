// One measurement in a fresh process (so peak RSS belongs to it alone). Prints one JSON line.
// Usage: node bench/measure.mjs read|jsyaml|audit DIR [jobs]
import { readdirSync, readFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
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
const time = async (name, fn) => {
  const start = performance.now();
  const value = await fn();
  timings[name] = Math.round(performance.now() - start);
  heapAfter[name] = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
  peakBy[name] = Math.round(process.resourceUsage().maxRSS / 1024);
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
  const options = { paths: [dir], today: '2026-07-01' };
  let report;
  if (jobs) {
    report = await time('audit (parallel)', () => runAuditParallel(options, Number(jobs)));
  } else {
    const prepared = await time('load + validate', () => prepareAudit(options));
    const outcomes = await time('enrich + evaluate', () => auditAll(prepared));
    report = await time('assemble', () => assembleReport(prepared, outcomes));
  }
  const out = mkdtempSync(join(tmpdir(), 'ixaudit-bench-out-'));
  // Which reporters to time (all by default); the run script limits the million-route scenarios to the
  // streaming formats so the whole bench stays under ten minutes.
  const only = process.env.IXAUDIT_BENCH_REPORTERS?.split(',');
  for (const reporter of REPORTERS) {
    if (only && !only.includes(reporter.name)) continue;
    await time(`report: ${reporter.name}`, () => reporter.write(report, out, {}));
  }
  const { writeManifest } = await import('../dist/report/manifest.js');
  await time('manifest', () => writeManifest(report.result, out));
  timings.findings = report.result.findings.length;
  timings.routes = report.inventory.routes.length;
  timings.outputBytes = (function size(d) {
    return readdirSync(d).reduce(
      (n, f) => n + (statSync(join(d, f)).isDirectory() ? size(join(d, f)) : statSync(join(d, f)).size),
      0,
    );
  })(out);
  rmSync(out, { recursive: true, force: true });
}
console.log(
  JSON.stringify({
    mode,
    dir,
    bytes,
    timings,
    heapAfterMB: heapAfter,
    peakRssByMB: peakBy,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
