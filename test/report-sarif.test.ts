import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ajvDraft04 from 'ajv-draft-04';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../src/model/report.js';
import { compareWithBaseline } from '../src/engine/baseline.js';
import { packageRoot } from '../src/paths.js';
import { REPORTERS } from '../src/report/index.js';
import { materialize, prettyJsonChunks } from '../src/report/json-stream.js';
import { SARIF_FILE, sarifJson, sarifJsonChunks, sarifLog, sarifReporter } from '../src/report/sarif/index.js';
import type { SarifLog, SarifResult } from '../src/report/sarif/types.js';
import { artifactUri, fileHref, isUri, isUriReference } from '../src/report/uri.js';
import { auditReport } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { REGULATOR } from './support/run.js';
import { presentationOf } from '../src/report/view/index.js';
import { isDateTime } from './support/consumers.mjs';

// Vendored byte for byte from the project's reference schemas (test/fixtures/README.md).
const SCHEMAS = join(packageRoot, 'test', 'fixtures', 'schemas');

/** The official SARIF 2.1.0 schema (draft-04), with its formats checked rather than ignored. */
function sarifValidator() {
  // ajv-draft-04 is CommonJS: under NodeNext its class is the module's default export's `default`.
  const ajv = new ajvDraft04.default({ allErrors: true });
  ajv.addFormat('uri', isUri);
  ajv.addFormat('uri-reference', isUriReference);
  ajv.addFormat('date-time', isDateTime);
  return ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, 'sarif-schema-2.1.0.json'), 'utf8')));
}

function fileLine(file: string, line: number): string {
  return readFileSync(file, 'utf8').split(/\r?\n/)[line - 1];
}

let samples: AuditReport;
let log: SarifLog;
let validate: ReturnType<typeof sarifValidator>;

function resultOf(control: string, subject: string, operator?: string): SarifResult {
  const found = log.runs[0].results.filter(
    (r) =>
      r.ruleId === control && r.properties.subject === subject && (!operator || r.properties.operator === operator),
  );
  expect(found, `${control} ${subject}`).toHaveLength(1);
  return found[0];
}

beforeAll(() => {
  samples = auditReport(['inputs'], REGULATOR);
  log = sarifLog(samples);
  validate = sarifValidator();
});

describe('SARIF 2.1.0 (findings.sarif)', () => {
  it('validates against the official schema, which rejects a broken log', () => {
    const parsed = JSON.parse(sarifJson(samples));
    expect(validate(parsed), JSON.stringify(validate.errors, null, 1)).toBe(true);
    parsed.runs[0].results[0].level = 'fatal';
    expect(validate(parsed)).toBe(false);
    const noRegionLine = JSON.parse(sarifJson(samples));
    noRegionLine.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
    expect(validate(noRegionLine)).toBe(false);
  });

  it('has one rule per control in force, with the requirement and the remediation as help', () => {
    const rules = log.runs[0].tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(samples.result.controls.map((c) => c.id));
    const rt02 = rules.find((r) => r.id === 'ICX-RT-02')!;
    expect(rt02.shortDescription.text).toBe('No failover to a high-risk carrier');
    expect(rt02.name).toBe('NoFailoverToHighRiskCarrier');
    expect(rt02.fullDescription.text).toBe('No route fails over (backups) to a high-risk carrier.');
    expect(rt02.help.text).toContain('Requirement: No route fails over (backups) to a high-risk carrier.');
    expect(rt02.help.text).toContain('Remediation: Replace each high-risk backup with a carrier that is not high-risk');
    expect(rt02.help.text).toContain('NIST SP 800-53 Rev. 5 CP-8 (telecommunications services)');
    expect(rt02.help.markdown).toContain('**Remediation.** Replace each high-risk backup');
    expect(rt02.defaultConfiguration.level).toBe('error');
    expect(rt02.properties).toMatchObject({
      'security-severity': '8.0',
      severity: 'high',
      family: 'RT',
      tags: ['security', 'interconnect', 'family:RT'],
    });
    // Medium controls are warnings in viewers.
    expect(rules.find((r) => r.id === 'ICX-RT-06')!.defaultConfiguration.level).toBe('warning');
    expect(log.runs[0].tool.driver).toMatchObject({ name: 'ixaudit', version: samples.result.run.tool.version });
  });

  it('reports every finding that needs attention, and only those, each pointing at its rule', () => {
    const attention = samples.result.findings.filter((f) =>
      ['fail', 'not-evidenced', 'waived', 'error'].includes(f.status),
    );
    const results = log.runs[0].results;
    expect(results).toHaveLength(attention.length);
    expect(results.filter((r) => r.properties.status === 'waived')).toHaveLength(1);
    for (const [i, r] of results.entries()) {
      expect(log.runs[0].tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
      expect(r.partialFingerprints['ixauditFinding/v1']).toBe(attention[i].fingerprint);
      expect(r.baselineState).toBeUndefined();
    }
  });

  it('locates a result on the YAML line and column of the offending field', () => {
    const r = resultOf('ICX-RT-02', 'RoutingTable/rt-jp-ss7-2026q2#r-0003');
    expect(r).toMatchObject({ kind: 'fail', level: 'error' });
    const physical = r.locations[0].physicalLocation!;
    expect(physical.artifactLocation).toMatchObject({
      uri: 'inputs/jp-sakura/routing-ss7.yaml',
      uriBaseId: '%SRCROOT%',
    });
    expect(physical.region).toMatchObject({ startLine: 45, startColumn: 27 });
    expect(physical.region!.snippet!.text).toBe(fileLine('inputs/jp-sakura/routing-ss7.yaml', 45));
    expect(physical.region!.snippet!.text).toBe('      backups: [{carrier: ctg}]');
    expect(physical.region!.snippet!.text.slice(26)).toMatch(/^ctg\}/); // column 27 is the carrier's value
    expect(physical.contextRegion).toMatchObject({ startLine: 44, endLine: 46 });
    // The artifact the location points at is the input file, with the hash findings.json recorded.
    const artifact = log.runs[0].artifacts[physical.artifactLocation.index!];
    const input = samples.result.run.inputs.find((i) => i.file === 'inputs/jp-sakura/routing-ss7.yaml')!;
    expect(artifact).toMatchObject({
      location: { uri: 'inputs/jp-sakura/routing-ss7.yaml', uriBaseId: '%SRCROOT%' },
      hashes: { 'sha-256': input.sha256 },
      length: input.bytes,
    });
    expect(r.locations[0].logicalLocations).toEqual([
      {
        name: 'RoutingTable/rt-jp-ss7-2026q2#r-0003',
        fullyQualifiedName: 'jp-sakura/RoutingTable/rt-jp-ss7-2026q2#r-0003',
        kind: 'object',
      },
    ]);
  });

  it('points findings on shipped registry entries at the IXAUDIT base', () => {
    const r = resultOf('ICX-OWN-03', 'Carrier/cmi', 'jp-sakura');
    expect(r.locations[0].physicalLocation).toMatchObject({
      artifactLocation: { uri: 'registry/carriers.yaml', uriBaseId: 'IXAUDIT' },
      region: { startLine: 45, startColumn: 5 },
    });
    expect(r.level).toBe('error'); // critical
    expect(Object.keys(log.runs[0].originalUriBaseIds).sort()).toEqual(['%SRCROOT%', 'IXAUDIT']);
  });

  it('turns an applied waiver into an accepted external suppression, and leaves an expired one open', () => {
    const waived = resultOf('ICX-RT-01', 'RoutingTable/rt-jp-ss7-2026q2#r-0001');
    expect(waived).toMatchObject({
      kind: 'fail',
      level: 'error',
      properties: { status: 'waived', waiver: { id: 'w-jp-001', status: 'applied', expires: '2026-12-31' } },
    });
    expect(waived.suppressions).toHaveLength(1);
    const suppression = waived.suppressions![0];
    expect(suppression).toMatchObject({
      kind: 'external',
      status: 'accepted',
      properties: { waiver: 'w-jp-001', expires: '2026-12-31' },
    });
    expect(suppression.justification).toContain(
      'Waiver w-jp-001 (regulator/waivers/jp-sakura.yaml:9:7) covers this finding until 2026-12-31.',
    );
    // The decision as the waiver declares it: why, who approved it, the ticket, what compensates.
    expect(suppression.justification).toContain(
      'Accepted because: Legacy Hong Kong SS7 route via CMI; migration to NTT IPX is contracted and scheduled for Q4 2026; approved by 相互接続セキュリティ室 (Interconnect Security Office); ticket SEC-2291; compensating controls: ICX-FW-01, ICX-FW-03, ICX-MON-01.',
    );
    expect(suppression.properties).toMatchObject({
      approvedBy: '相互接続セキュリティ室 (Interconnect Security Office)',
      ticket: 'SEC-2291',
      compensatingControls: ['ICX-FW-01', 'ICX-FW-03', 'ICX-MON-01'],
    });
    expect(suppression.location!.physicalLocation).toMatchObject({
      artifactLocation: { uri: 'regulator/waivers/jp-sakura.yaml' },
      region: { startLine: 9, startColumn: 7 },
    });

    const expired = resultOf('ICX-RT-02', 'RoutingTable/rt-jp-ss7-2026q2#r-0003');
    expect(expired.suppressions).toBeUndefined();
    expect(expired.properties).toMatchObject({
      status: 'fail',
      waiver: { id: 'w-jp-002', status: 'expired', expires: '2026-06-30' },
    });
  });

  it('reports not-evidenced findings for review, or as failures when the profile counts them so', () => {
    const notEvidenced = log.runs[0].results.filter((r) => r.properties.status === 'not-evidenced');
    expect(notEvidenced.length).toBe(samples.result.summary.byStatus['not-evidenced']);
    expect(notEvidenced.length).toBeGreaterThan(0);
    for (const r of notEvidenced) expect(r).toMatchObject({ kind: 'review', level: 'none' });

    const strict: AuditReport = structuredClone(samples);
    strict.result.run.profile.parameters.notEvidencedIsFailure = true;
    const strictResults = sarifLog(strict).runs[0].results.filter((r) => r.properties.status === 'not-evidenced');
    const severities = strictResults.map((r) => [r.properties.severity, r.kind, r.level]);
    expect(severities.length).toBe(notEvidenced.length);
    for (const [severity, kind, level] of severities) {
      expect(kind).toBe('fail');
      expect(level).toBe(
        severity === 'critical' || severity === 'high' ? 'error' : severity === 'medium' ? 'warning' : 'note',
      );
    }
  });

  it('reports findings that could not be evaluated as open, and input errors as located notifications', () => {
    const table = `apiVersion: ixaudit/v1
kind: RoutingTable
metadata: {id: rt, operator: op-jp}
spec:
  protocol: ss7
  routes:
    - id: r-1
      match: {gtPrefix: "49"}
      destination: {country: DE}
      primary: {carrier: clean-de}
      backups: [{carrier: nobody}]
      status: active
`;
    const dir = tempFiles({ 'さくら/routing table.yaml': table });
    const report = auditReport(['test/controls/_base.yaml', join(dir, 'さくら'), 'test/no-such-folder']);
    const sarif = sarifLog(report);
    expect(validate(JSON.parse(JSON.stringify(sarif))), JSON.stringify(validate.errors, null, 1)).toBe(true);
    const run = sarif.runs[0];
    const open = run.results.find((r) => r.ruleId === 'ICX-RT-02' && r.properties.subject === 'RoutingTable/rt#r-1')!;
    expect(open).toMatchObject({ kind: 'open', level: 'none', properties: { status: 'error' } });
    // A file outside the working directory is named by its file: URL, percent-encoded.
    const uri = pathToFileURL(join(dir, 'さくら', 'routing table.yaml')).href;
    expect(uri).toContain('%E3%81%95%E3%81%8F%E3%82%89/routing%20table.yaml');
    // The route could not be judged: the finding points at the route entry (its id key).
    expect(open.locations[0].physicalLocation).toMatchObject({
      artifactLocation: { uri },
      region: { startLine: 7, startColumn: 7, snippet: { text: '    - id: r-1' } },
    });
    expect(open.locations[0].physicalLocation!.artifactLocation.uriBaseId).toBeUndefined();

    const notifications = run.invocations[0].toolExecutionNotifications;
    const unknownCarrier = notifications.find((n) => n.message.text === 'unknown carrier "nobody"')!;
    expect(unknownCarrier).toMatchObject({
      level: 'error',
      descriptor: { id: 'reference' },
      locations: [{ physicalLocation: { artifactLocation: { uri }, region: { startLine: 11, startColumn: 27 } } }],
    });
    expect(run.tool.driver.notifications[unknownCarrier.descriptor.index]).toMatchObject({
      id: 'reference',
      name: 'UnresolvedReference',
      help: { text: expect.stringMatching(/^Add the referenced document/) },
    });
    const missing = notifications.find((n) => n.descriptor.id === 'io')!;
    expect(missing.locations![0].physicalLocation).toEqual({
      artifactLocation: { uri: 'test/no-such-folder', uriBaseId: '%SRCROOT%' },
    });
    expect(run.invocations[0].executionSuccessful).toBe(true);
  });

  it('marks results against a previous run (--baseline), listing what was fixed as absent', () => {
    // A made-up previous run, one subject per entry as findings.json is read back: the RT-02 failure on
    // r-0003 did not exist yet, the finding waived now was a plain failure, a passing FW-04 subject
    // failed, and a route that is gone now failed too.
    const report: AuditReport = structuredClone(samples);
    const findings = report.result.findings;
    const causeOf = (control: string, subject: string) =>
      findings.find((f) => f.control === control && f.occurrences.some((o) => o.subject === subject))!;
    const newOne = causeOf('ICX-RT-02', 'RoutingTable/rt-jp-ss7-2026q2#r-0003');
    const newOccurrence = newOne.occurrences.find((o) => o.subject === 'RoutingTable/rt-jp-ss7-2026q2#r-0003')!;
    const waived = findings.find((f) => f.status === 'waived')!;
    const fixed = findings.find((f) => f.control === 'ICX-FW-04' && f.status === 'pass')!;
    const fixedOccurrence = fixed.occurrences[0];
    const previous = findings.flatMap((f) =>
      f.occurrences
        .filter((o) => o !== newOccurrence)
        .map((o) => ({
          control: f.control,
          operator: f.operator,
          subject: o.subject,
          fingerprint: o.fingerprint,
          severity: f.severity,
          title: f.title,
          message: f.message,
          evidence: { ...f.evidence, ...o.evidence },
          status: f === waived || o === fixedOccurrence ? ('fail' as const) : f.status,
        })),
    );
    previous.push({ ...previous[0], subject: 'RoutingTable/rt-jp-ss7-2026q1#r-0009', fingerprint: 'f'.repeat(32) });
    Object.assign(previous[previous.length - 1], {
      control: newOne.control,
      operator: newOne.operator,
      severity: newOne.severity,
      title: newOne.title,
      status: 'fail',
    });
    report.result.baseline = compareWithBaseline(findings, { auditDate: '2025-07-01', findings: previous }, 'out-2025');

    const sarif = sarifLog(report);
    expect(validate(JSON.parse(JSON.stringify(sarif))), JSON.stringify(validate.errors, null, 1)).toBe(true);
    const results = sarif.runs[0].results;
    const byFingerprint = (fp: string) => results.filter((r) => r.partialFingerprints['ixauditFinding/v1'] === fp);
    // The new occurrence: its result is new if it is its cause's only occurrence, else updated; its location says new.
    const [current] = byFingerprint(newOne.fingerprint);
    expect(current.baselineState).toBe(newOne.occurrences.length === 1 ? 'new' : 'updated');
    const newLocation = current.locations.find((l) => l.properties?.fingerprint === newOccurrence.fingerprint)!;
    expect(newLocation.properties).toMatchObject({ baselineState: 'new' });
    expect(byFingerprint(waived.fingerprint).map((r) => [r.baselineState, r.suppressions?.[0].status])).toEqual([
      ['updated', 'accepted'],
    ]);
    const [gone] = byFingerprint(fixedOccurrence.fingerprint);
    expect(gone).toMatchObject({
      baselineState: 'absent',
      kind: 'pass',
      level: 'none',
      properties: { status: 'pass', previousStatus: 'fail', occurrences: 1 },
    });
    expect(gone.message.text).toMatch(/^Resolved since the audit of 2025-07-01: was fail, now pass\. /);
    expect(gone.locations).toHaveLength(1);
    expect(gone.locations[0].physicalLocation!.artifactLocation.uri).toBe(fixedOccurrence.location.file);
    expect(gone.locations[0].properties).toMatchObject({ fingerprint: fixedOccurrence.fingerprint });
    const [removed] = byFingerprint('f'.repeat(32));
    expect(removed).toMatchObject({
      baselineState: 'absent',
      kind: 'pass',
      level: 'none',
      properties: { status: 'removed', previousStatus: 'fail' },
    });
    expect(removed.message.text).toBe(
      "Resolved since the audit of 2025-07-01: RoutingTable/rt-jp-ss7-2026q1#r-0009 no longer appears in jp-sakura's submission (was fail).",
    );
    // Every other current result is unchanged.
    const unchanged = results.filter((r) => r.baselineState === 'unchanged');
    expect(unchanged.length).toBe(results.filter((r) => r.baselineState !== 'absent').length - 2);
  });

  it('percent-encodes file names into URI references', () => {
    expect(artifactUri('inputs/さくら/routing table.yaml')).toEqual({
      uri: 'inputs/%E3%81%95%E3%81%8F%E3%82%89/routing%20table.yaml',
      uriBaseId: '%SRCROOT%',
    });
    expect(artifactUri('a:b/c#1.yaml')).toEqual({ uri: 'a%3Ab/c%231.yaml', uriBaseId: '%SRCROOT%' });
    expect(artifactUri('ixaudit:registry/carriers.yaml')).toEqual({
      uri: 'registry/carriers.yaml',
      uriBaseId: 'IXAUDIT',
    });
    expect(fileHref('ixaudit:registry/carriers.yaml')).toBe('ixaudit:registry/carriers.yaml');
    expect(fileHref('inputs/a b.yaml')).toBe('inputs/a%20b.yaml');
    expect(isUriReference('inputs/a b.yaml')).toBe(false);
    expect(isUri('inputs/a.yaml')).toBe(false);
  });

  it('writes findings.sarif atomically, byte-identical for the same inputs, and is registered', async () => {
    const out = tempFiles({});
    const [path] = await sarifReporter.write(presentationOf(samples), out, {});
    expect(path).toBe(join(out, SARIF_FILE));
    const written = readFileSync(path, 'utf8');
    expect(written).toBe(sarifJson(auditReport(['inputs'], REGULATOR)));
    expect(JSON.parse(written).$schema).toBe(
      'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json',
    );
    expect(REPORTERS).toContain(sarifReporter);
  });
});

describe('pretty JSON written piece by piece (json-stream.ts)', () => {
  it('gives exactly JSON.stringify(value, null, 2), lazy lists included', () => {
    function* lazy() {
      yield { a: 1, skipped: undefined, text: 'さくら "quoted"\nline' };
      yield [];
      yield {};
      yield { deep: { list: [1, { x: null }], empty: [] } };
    }
    const doc = {
      head: { k: [1, 2] },
      runs: [
        { results: lazy(), other: [{ y: undefined }] },
        { results: [], more: 'z' },
      ],
      tail: undefined,
      n: 0,
    };
    const streamed = [['runs', '*', 'results']];
    const text = [...prettyJsonChunks(doc, streamed)].join('');
    const again = { ...doc, runs: [{ ...doc.runs[0], results: lazy() }, doc.runs[1]] };
    expect(text).toBe(JSON.stringify(materialize(again), null, 2));
    expect(JSON.parse(text).runs[0].results).toHaveLength(4);
    expect([...prettyJsonChunks([], streamed)].join('')).toBe('[]');
    expect([...prettyJsonChunks({ runs: [] }, streamed)].join('')).toBe(JSON.stringify({ runs: [] }, null, 2));
  });

  it('writes findings.sarif with each result as its own piece, byte-identical to the whole log', () => {
    const chunks = [...sarifJsonChunks(samples)];
    expect(chunks.join('')).toBe(`${JSON.stringify(sarifLog(samples), null, 2)}\n`);
    // No piece holds more than one result: memory stays flat however many results there are.
    const results = sarifLog(samples).runs[0].results.length;
    expect(chunks.length).toBeGreaterThan(results);
    expect(Math.max(...chunks.map((c) => c.split('"ruleId"').length - 1))).toBe(1);
  });
});
