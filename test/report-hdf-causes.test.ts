import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { mergedByCause, nationalScale } from './support/causes.js';
import type { AuditReport } from '../src/model/report.js';
import { packageRoot } from '../src/paths.js';
import { hdfDocument, hdfJson } from '../src/report/hdf/index.js';
import {
  controlNistTags,
  FAMILY_NIST,
  MAX_DOCUMENT_OCCURRENCES,
  MAX_RESULT_OCCURRENCES,
  occurrencesPerResult,
} from '../src/report/hdf/mapping.js';
import type { HdfExecJson } from '../src/report/hdf/types.js';
import { auditReport } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { REGULATOR } from './support/run.js';
import { heimdallStatus } from './support/hdf.js';
import { SAF_INSTALL_HINT, safBinary } from './support/consumers.mjs';
import { ON_CI } from './support/tool-path.js';

// Issue 15: one HDF result per cause (its occurrences listed, at most MAX_RESULT_OCCURRENCES), a NIST tag on
// every control; read with inspecjs and the SAF CLI where they are installed.

let validate: ReturnType<Ajv['compile']>;
let samples: AuditReport;
let grouped: AuditReport;

beforeAll(() => {
  validate = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(
    JSON.parse(readFileSync(join(packageRoot, 'test', 'fixtures', 'schemas', 'hdf-exec-json.json'), 'utf8')),
  );
  samples = auditReport(['inputs'], REGULATOR);
  grouped = mergedByCause(samples);
});

describe('HDF: one result per cause, a NIST tag on every control', () => {
  it('gives a cause one result that names its first subject and lists its occurrences', () => {
    const doc = hdfDocument(grouped);
    expect(validate(JSON.parse(JSON.stringify(doc))), JSON.stringify(validate.errors, null, 1)).toBe(true);
    for (const control of doc.profiles[0].controls) {
      const findings = grouped.result.findings.filter((f) => f.control === control.id);
      expect(control.results).toHaveLength(findings.length);
      control.results.forEach((r, i) => {
        const f = findings[i];
        const occurrences = f.occurrences;
        const text = r.message ?? r.skip_message!;
        if (occurrences.length === 1) {
          expect(text).not.toContain('Occurrences (');
          return;
        }
        expect(r.code_desc).toBe(
          `${f.operator} ${f.subject} (${f.location.file}:${f.location.line}:${f.location.column}) and ${occurrences.length - 1} more subject(s) with this cause`,
        );
        expect(text).toContain(`\n\nOccurrences (${occurrences.length}):\n`);
        for (const o of occurrences)
          expect(text).toContain(`- ${o.subject} (${o.location.file}:${o.location.line}:${o.location.column})`);
      });
    }
    // Grouping changes nothing a Heimdall user sees of a control.
    const statuses = (d: HdfExecJson) => new Map(d.profiles[0].controls.map((c) => [c.id, heimdallStatus(c)]));
    expect(statuses(doc)).toEqual(statuses(hdfDocument(samples)));
  });

  it('tags every control with NIST SP 800-53: its own references, else its family’s section', () => {
    const doc = hdfDocument(samples);
    for (const c of doc.profiles[0].controls) {
      const nist = c.tags.nist as string[];
      expect(nist.length, c.id).toBeGreaterThan(1);
      expect(nist).toContain('Rev_5');
    }
    const fw04 = doc.profiles[0].controls.find((c) => c.id === 'ICX-FW-04')!;
    expect(fw04.tags).toMatchObject({
      nist: ['SC-7', 'Rev_5'],
      nist_mapping: "No NIST SP 800-53 reference of its own: SC-7, the section the FW family's controls cite most.",
    });
    // Controls with references of their own say nothing of a mapping.
    expect(doc.profiles[0].controls.find((c) => c.id === 'ICX-RT-02')!.tags).not.toHaveProperty('nist_mapping');
    expect(Object.keys(FAMILY_NIST).sort()).toEqual([...new Set(samples.result.controls.map((c) => c.family))].sort());
    expect(controlNistTags({ family: '', references: [] })).toMatchObject({ nist: ['CA-2', 'Rev_5'] });
    expect(controlNistTags({ family: 'ACME', references: [{ document: 'ISO 27001' }] }).nist).toEqual([
      'CA-2',
      'Rev_5',
    ]);
  });

  it('stays bounded at national scale: 100 occurrences a result, the rest counted', () => {
    const big = nationalScale(samples);
    const text = hdfJson(big);
    const doc = JSON.parse(text) as HdfExecJson;
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3), null, 1)).toBe(true);
    const results = doc.profiles[0].controls.flatMap((c) => c.results);
    expect(results).toHaveLength(51);
    for (const r of results) {
      const lines = (r.message ?? r.skip_message!).split('\n').filter((l) => l.startsWith('- RoutingTable/'));
      expect(lines).toHaveLength(MAX_RESULT_OCCURRENCES);
    }
    const ends = results.map((r) => (r.message ?? r.skip_message!).split('\n').at(-1));
    expect(ends.filter((e) => e === '- and 300 more; findings.json lists all 400.')).toHaveLength(50);
    expect(ends.filter((e) => e === '- and 19,900 more; findings.json lists all 20,000.')).toHaveLength(1);
    expect(text.length).toBeLessThan(5_000_000);
  });

  it('bounds the occurrences the whole document names: with a sector’s thousands of causes each names fewer', () => {
    // 1,000 causes of 30 failing routes and one passing cause of all 30,000: 1,001 results, 24 lines each.
    const big = nationalScale(samples, 30_000, 1_000);
    const doc = JSON.parse(hdfJson(big)) as HdfExecJson;
    const results = doc.profiles[0].controls.flatMap((c) => c.results);
    expect(results).toHaveLength(1_001);
    let named = 0;
    for (const r of results) {
      const text = r.message ?? r.skip_message!;
      const lines = text.split('\n').filter((l) => l.startsWith('- RoutingTable/'));
      expect(lines).toHaveLength(24);
      named += lines.length;
      expect(text.split('\n').at(-1)).toMatch(/^- and [\d,]+ more; findings\.json lists all [\d,]+\.$/);
    }
    expect(named).toBeLessThanOrEqual(MAX_DOCUMENT_OCCURRENCES);
    expect(occurrencesPerResult(0)).toBe(MAX_RESULT_OCCURRENCES);
    expect(occurrencesPerResult(250)).toBe(100);
    expect(occurrencesPerResult(24_654)).toBe(1);
  });
});

/**
 * inspecjs (the library Heimdall reads files with; a devDependency), from IXAUDIT_HDF_TOOLS (a folder whose
 * node_modules has it) or the project; MITRE's SAF CLI (@mitre/saf 1.5.3, some 650 packages: not a
 * dependency) from IXAUDIT_HDF_TOOLS or tools/hdf, where `bash scripts/hdf-tools.sh` installs it (.ci/run
 * does). A missing one skips its checks and says so; on CI a missing SAF CLI fails.
 */
function hdfTools(): { inspecjs?: string; saf?: string } {
  const found: { inspecjs?: string; saf?: string } = { saf: safBinary() };
  for (const root of [process.env.IXAUDIT_HDF_TOOLS, packageRoot].filter((d): d is string => Boolean(d))) {
    try {
      found.inspecjs ??= createRequire(join(root, 'package.json')).resolve('inspecjs');
    } catch {
      // not in this folder
    }
  }
  return found;
}

const TOOLS = hdfTools();
if (!TOOLS.inspecjs)
  console.warn(
    '[ixaudit tests] skipped the inspecjs checks: inspecjs is not installed (it is a devDependency: npm ci).',
  );
if (!TOOLS.saf && !ON_CI)
  console.warn(`[ixaudit tests] skipped the SAF CLI check: not installed (${SAF_INSTALL_HINT}).`);

interface InspecControl {
  data: { id: string; tags: Record<string, unknown> };
  hdf: { status: string; severity: string; rawNistTags: string[] };
}

describe('HDF read by inspecjs and the SAF CLI', () => {
  it.skipIf(!TOOLS.inspecjs)(
    'inspecjs detects exec JSON 1.0 and reads each control’s status and NIST tags as ixaudit means them',
    () => {
      const inspecjs = createRequire(import.meta.url)(TOOLS.inspecjs!) as {
        convertFile(text: string, throwErrors?: boolean): Record<string, unknown>;
        contextualizeEvaluation(exec: unknown): { contains: Array<{ contains: InspecControl[] }> };
      };
      for (const report of [samples, grouped, nationalScale(samples)]) {
        const text = hdfJson(report);
        const converted = inspecjs.convertFile(text, true);
        expect(Object.keys(converted).filter((k) => converted[k])).toEqual(['1_0_ExecJson']);
        const controls = inspecjs
          .contextualizeEvaluation(converted['1_0_ExecJson'])
          .contains.flatMap((p) => p.contains);
        const doc = JSON.parse(text) as HdfExecJson;
        expect(controls.map((c) => c.data.id)).toEqual(doc.profiles[0].controls.map((c) => c.id));
        for (const [i, c] of controls.entries()) {
          expect(c.hdf.status, c.data.id).toBe(heimdallStatus(doc.profiles[0].controls[i]));
          // Heimdall files a control without a NIST tag under UM-1 ("unmapped"): none is.
          expect(c.hdf.rawNistTags, c.data.id).not.toContain('UM-1');
          expect(c.hdf.rawNistTags).toEqual(doc.profiles[0].controls[i].tags.nist);
        }
      }
    },
  );

  it.skipIf(!TOOLS.saf && !ON_CI)(
    'saf view summary runs on the samples’ hdf.json (the bench runs it at 20,000 and 1,000,000 routes)',
    () => {
      expect(TOOLS.saf, `the SAF CLI is not installed: ${SAF_INSTALL_HINT}`).toBeDefined();
      const dir = tempFiles({ 'hdf.json': hdfJson(samples) });
      const run = spawnSync(TOOLS.saf!, ['view', 'summary', '-i', join(dir, 'hdf.json')], {
        encoding: 'utf8',
        cwd: dirname(dir),
      });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain('profileName: ixaudit');
      expect(run.stdout).toMatch(/failed:\n(?: {4}\w+: \d+\n)+ {4}total: [1-9]/);
    },
    120_000,
  );
});
