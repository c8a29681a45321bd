import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import ajvDraft04 from 'ajv-draft-04';
import { mergedByCause, nationalScale } from './support/causes.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../src/model/report.js';
import { packageRoot } from '../src/paths.js';
import { sarifJson, sarifLog } from '../src/report/sarif/index.js';
import {
  GITHUB_LIMITS,
  locationsPerResult,
  MAX_LOCATIONS_PER_RESULT,
  MAX_LOCATIONS_PER_RUN,
} from '../src/report/sarif/limits.js';
import { controlAnchors, linksFromPackage, type SarifLinks } from '../src/report/sarif/links.js';
import { occurrencesText, RESULT_LIMIT_NOTIFICATION } from '../src/report/sarif/mapping.js';
import type { SarifLog } from '../src/report/sarif/types.js';
import { isUri, isUriReference } from '../src/report/uri.js';
import { auditReport } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { REGULATOR } from './support/run.js';
import { multitoolBinary, multitoolEnv } from './support/consumers.mjs';

// Issue 15: one SARIF result per cause, its occurrences as locations, within GitHub code scanning's limits
// (src/report/sarif/limits.ts), checked with Microsoft's SARIF multitool where it is installed.

/** The official SARIF 2.1.0 schema, formats checked. */
function sarifValidator() {
  const ajv = new ajvDraft04.default({ allErrors: true });
  ajv.addFormat('uri', isUri);
  ajv.addFormat('uri-reference', isUriReference);
  ajv.addFormat('date-time', () => true);
  return ajv.compile(
    JSON.parse(readFileSync(join(packageRoot, 'test', 'fixtures', 'schemas', 'sarif-schema-2.1.0.json'), 'utf8')),
  );
}

/** A repository address for the tests only (package.json has none, see docs/interchange.md). */
const EXAMPLE_LINKS: SarifLinks = {
  ...linksFromPackage({ repository: 'github:example/ixaudit' }),
  controlAnchors: controlAnchors(readFileSync(join(packageRoot, 'docs', 'controls.md'), 'utf8')),
};

let samples: AuditReport;
let grouped: AuditReport;
let validate: ReturnType<typeof sarifValidator>;

beforeAll(() => {
  samples = auditReport(['inputs'], REGULATOR);
  grouped = mergedByCause(samples);
  validate = sarifValidator();
});

describe('SARIF: one result per cause, its occurrences as locations', () => {
  it('gives each finding one result whose locations are its occurrences, each with its own fingerprint', () => {
    const multi = grouped.result.findings.filter(
      (f) => ['fail', 'waived', 'not-evidenced', 'error'].includes(f.status) && f.occurrences.length > 1,
    );
    expect(multi.length).toBeGreaterThan(0);
    const log = sarifLog(grouped);
    expect(validate(JSON.parse(JSON.stringify(log))), JSON.stringify(validate.errors, null, 1)).toBe(true);
    const results = log.runs[0].results;
    expect(results).toHaveLength(
      grouped.result.findings.filter((f) => ['fail', 'waived', 'not-evidenced', 'error'].includes(f.status)).length,
    );
    for (const finding of multi) {
      const occurrences = finding.occurrences;
      const [result] = results.filter((r) => r.partialFingerprints['ixauditFinding/v1'] === finding.fingerprint);
      expect(result.partialFingerprints['ixauditFinding/v1']).toBe(occurrences[0].fingerprint);
      expect(result.locations.map((l) => l.properties?.fingerprint)).toEqual(
        occurrences.slice(0, MAX_LOCATIONS_PER_RESULT).map((o) => o.fingerprint),
      );
      expect(result.locations.map((l) => l.logicalLocations![0].name)).toEqual(
        occurrences.slice(0, MAX_LOCATIONS_PER_RESULT).map((o) => o.subject),
      );
      result.locations.forEach((l, i) => {
        const { location } = occurrences[i];
        expect(l.physicalLocation!.region?.startLine ?? 0).toBe(location.line);
        // The excerpt quotes the first occurrence only.
        if (i > 0) expect(l.physicalLocation!.contextRegion).toBeUndefined();
      });
      expect(result.properties).toMatchObject({ occurrences: occurrences.length, subject: occurrences[0].subject });
      expect(result.message.text).toContain(
        `Found at ${occurrences.length} subjects of ${finding.operator} (${occurrences[0].subject} and ${occurrences.length - 1} more)`,
      );
    }
  });

  it('keeps within GitHub’s limits at national scale: 20 locations a result, the total in message and properties', () => {
    const big = nationalScale(samples, 20_000, 50, true);
    const text = sarifJson(big);
    const log = JSON.parse(text) as SarifLog;
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3), null, 1)).toBe(true);
    const results = log.runs[0].results;
    expect(results).toHaveLength(50);
    for (const r of results) {
      expect(r.locations).toHaveLength(MAX_LOCATIONS_PER_RESULT);
      expect(r.properties).toMatchObject({ occurrences: 400, occurrencesNotListed: 400 - MAX_LOCATIONS_PER_RESULT });
      expect(r.message.text).toMatch(
        /Found at 400 subjects of \S+ \(RoutingTable\/rt-national#r-\d+ and 399 more\): the first 20 are this result's locations, findings\.json lists all 400\.$/,
      );
    }
    expect(results.length).toBeLessThanOrEqual(GITHUB_LIMITS.resultsPerRun);
    expect(log.runs[0].tool.driver.rules.length).toBeLessThanOrEqual(GITHUB_LIMITS.rulesPerRun);
    for (const rule of log.runs[0].tool.driver.rules)
      expect((rule.properties.tags as string[]).length).toBeLessThanOrEqual(GITHUB_LIMITS.tagsPerRule);
    expect(gzipSync(text).length).toBeLessThan(GITHUB_LIMITS.gzipBytes);
    // 20,000 occurrences in 50 causes: a few MB, not the hundreds of one result per route.
    expect(text.length).toBeLessThan(1_500_000);
  });

  it('bounds the locations of the whole run: with a sector’s thousands of causes each lists fewer', () => {
    // The sector bench (50 operators × 20,000 routes, 20,254 results) listed 222,171 locations at 20 a
    // result: a 207 MB log, 11 MB gzipped, over the 10 MB GitHub accepts.
    const big = nationalScale(samples, 26_000, 1_300);
    const log = JSON.parse(sarifJson(big)) as SarifLog;
    const results = log.runs[0].results;
    expect(results).toHaveLength(1_300);
    for (const r of results) {
      expect(r.locations).toHaveLength(19);
      expect(r.properties).toMatchObject({ occurrences: 20, occurrencesNotListed: 1 });
      expect(r.message.text).toMatch(/: the first 19 are this result's locations, findings\.json lists all 20\.$/);
    }
    expect(results.reduce((n, r) => n + r.locations!.length, 0)).toBeLessThanOrEqual(MAX_LOCATIONS_PER_RUN);
    expect(occurrencesText('op', [{ subject: 'a' }, { subject: 'b' }], 1)).toMatch(
      /: the first is this result's location, findings\.json lists all 2\.$/,
    );
    expect(locationsPerResult(0)).toBe(MAX_LOCATIONS_PER_RESULT);
    expect(locationsPerResult(1_250)).toBe(20);
    expect(locationsPerResult(1_251)).toBe(19);
    expect(locationsPerResult(20_254)).toBe(1);
  });

  it('past the results a run may hold, keeps the most severe and says what it left out', () => {
    const big = nationalScale(samples, 2_000, 40, true);
    const full = sarifLog(big).runs[0].results;
    const log = sarifLog(big, EXAMPLE_LINKS, 10);
    expect(validate(JSON.parse(JSON.stringify(log))), JSON.stringify(validate.errors, null, 1)).toBe(true);
    const run = log.runs[0];
    expect(run.results).toHaveLength(10);
    // Critical first, in findings order: the 10 kept are the first 10 critical causes of the 40 (every 4th).
    expect(run.results.map((r) => r.properties.severity)).toEqual(Array(10).fill('critical'));
    expect(run.results.map((r) => r.message.text)).toEqual(
      full.filter((r) => r.properties.severity === 'critical').map((r) => r.message.text),
    );
    const notice = run.invocations[0].toolExecutionNotifications.find(
      (n) => n.descriptor.id === RESULT_LIMIT_NOTIFICATION,
    )!;
    expect(notice).toMatchObject({
      level: 'warning',
      properties: {
        resultsTotal: 40,
        resultsKept: 10,
        resultsOmitted: 30,
        omittedBySeverity: { high: 10, medium: 10, low: 10 },
      },
    });
    expect(notice.message.text).toBe(
      '30 of 40 results are left out of this log: GitHub code scanning rejects a run of more than 25,000 results. The 10 kept are the most severe (current problems before resolved ones); left out: 10 high, 10 medium, 10 low. findings.json lists every finding.',
    );
    expect(run.tool.driver.notifications[notice.descriptor.index].id).toBe(RESULT_LIMIT_NOTIFICATION);
    expect(run.properties.resultsOmitted).toEqual({ total: 40, kept: 10, omitted: 30 });
    // Within the limit nothing is said.
    expect(
      sarifLog(big).runs[0].invocations[0].toolExecutionNotifications.some(
        (n) => n.descriptor.id === RESULT_LIMIT_NOTIFICATION,
      ),
    ).toBe(false);
  });
});

/**
 * The multitool's `validate` verdict on each of several logs, in ONE run of the tool (each start costs
 * seconds): per log name, its error and warning results as "RULE: message".
 */
function multitoolProblems(tool: string, logs: Record<string, string>): Record<string, string[]> {
  const dir = tempFiles(Object.fromEntries(Object.entries(logs).map(([name, text]) => [`${name}.sarif`, text])));
  const out = join(dir, 'validation.out');
  const run = spawnSync(
    tool,
    [
      'validate',
      ...Object.keys(logs).map((name) => join(dir, `${name}.sarif`)),
      '--rule-kind',
      'Sarif;Gh',
      '--level',
      'Error;Warning;Note',
      '--output',
      out,
      '--log',
      'ForceOverwrite',
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: multitoolEnv() },
  );
  expect(run.status, run.stdout + run.stderr).toBe(0);
  const validation = JSON.parse(readFileSync(out, 'utf8')) as {
    runs: Array<{
      results?: Array<{
        ruleId: string;
        level?: string;
        message: { text?: string; arguments?: string[] };
        locations?: Array<{ physicalLocation?: { artifactLocation?: { uri?: string } } }>;
      }>;
    }>;
  };
  const problems: Record<string, string[]> = Object.fromEntries(Object.keys(logs).map((name) => [name, []]));
  // A result without a level is a warning (SARIF §3.27.10).
  for (const r of validation.runs[0].results ?? []) {
    if (!(r.level === 'error' || r.level === 'warning' || r.level === undefined)) continue;
    const uri = r.locations?.[0]?.physicalLocation?.artifactLocation?.uri ?? '';
    const name = Object.keys(logs).find((n) => uri.endsWith(`/${n}.sarif`)) ?? '(no file)';
    (problems[name] ??= []).push(`${r.ruleId}: ${r.message.text ?? (r.message.arguments ?? []).join(' | ')}`);
  }
  return problems;
}

const TOOL = multitoolBinary();
if (!TOOL)
  console.warn(
    '[ixaudit tests] skipped the SARIF multitool checks: @microsoft/sarif-multitool is not installed (npm i @microsoft/sarif-multitool, or set IXAUDIT_SARIF_MULTITOOL to its Sarif.Multitool binary).',
  );

describe.skipIf(!TOOL)('SARIF multitool validate (Sarif;Gh rules)', () => {
  let problems: Record<string, string[]>;
  beforeAll(() => {
    problems = multitoolProblems(TOOL!, {
      samples: sarifJson(samples, EXAMPLE_LINKS),
      own: sarifJson(samples),
      grouped: sarifJson(grouped, EXAMPLE_LINKS),
      // 2,000 routes in 10 causes: 200 occurrences a cause, past the 20 locations kept (20,000 routes take the
      // multitool 20 s and check nothing more).
      national: sarifJson(nationalScale(samples, 2_000, 10, true), EXAMPLE_LINKS),
      cut: sarifJson(nationalScale(samples, 2_000, 40, true), EXAMPLE_LINKS, 10),
    });
  }, 300_000);

  it('reports no error and no warning on the samples’ log, and only the missing informationUri without an address', () => {
    expect(problems.samples).toEqual([]);
    // With package.json's links: SARIF2005 (no informationUri) is the one warning when it gives no address.
    const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8'));
    const expected = pkg.homepage || pkg.repository ? [] : ['SARIF2005'];
    expect(problems.own.map((p) => p.split(':')[0])).toEqual(expected);
    expect(problems['(no file)']).toBeUndefined();
  });

  it('reports no error and no warning on causes with many occurrences, nor on a log cut at the result limit', () => {
    expect(problems.grouped).toEqual([]);
    expect(problems.national).toEqual([]);
    expect(problems.cut).toEqual([]);
  });
});
