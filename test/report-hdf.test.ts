import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../src/model/report.js';
import { packageRoot } from '../src/paths.js';
import { HDF_FILE, hdfDocument, hdfJson, hdfJsonChunks, hdfReporter } from '../src/report/hdf/index.js';
import { nistTags } from '../src/report/hdf/mapping.js';
import type { HdfControl, HdfExecJson } from '../src/report/hdf/types.js';
import { REPORTERS } from '../src/report/index.js';
import { auditReport } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { REGULATOR } from './support/run.js';
import { presentationOf } from '../src/report/view/index.js';
import { heimdallStatus } from './support/hdf.js';

// Vendored byte for byte from the project's reference schemas (test/fixtures/README.md).
const SCHEMA = join(packageRoot, 'test', 'fixtures', 'schemas', 'hdf-exec-json.json');

let samples: AuditReport;
let hdf: HdfExecJson;
let validate: ReturnType<Ajv['compile']>;

function control(id: string): HdfControl {
  const found = hdf.profiles[0].controls.find((c) => c.id === id);
  expect(found, id).toBeDefined();
  return found!;
}

beforeAll(() => {
  samples = auditReport(['inputs'], REGULATOR);
  hdf = hdfDocument(samples);
  // The schema writes union types (["string", "null"]); that is what allowUnionTypes permits.
  validate = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(JSON.parse(readFileSync(SCHEMA, 'utf8')));
});

describe('HDF / InSpec exec JSON (hdf.json)', () => {
  it('validates against the HDF exec JSON schema, which rejects a broken document', () => {
    const parsed = JSON.parse(hdfJson(samples));
    expect(validate(parsed), JSON.stringify(validate.errors, null, 1)).toBe(true);
    parsed.profiles[0].controls[0].impact = 2;
    expect(validate(parsed)).toBe(false);
    const noResults = JSON.parse(hdfJson(samples));
    delete noResults.profiles[0].controls[0].results;
    expect(validate(noResults)).toBe(false);
  });

  it('has one control per control in force, with one result per finding, named by its first subject', () => {
    const controls = hdf.profiles[0].controls;
    expect(controls.map((c) => c.id)).toEqual(samples.result.controls.map((c) => c.id));
    for (const c of controls) {
      const findings = samples.result.findings.filter((f) => f.control === c.id);
      expect(c.results.map((r) => r.resource_id)).toEqual(findings.map((f) => `${f.operator}/${f.subject}`));
      expect(c.results.every((r) => r.start_time === '2026-07-01T00:00:00Z')).toBe(true);
    }
    expect(hdf.version).toBe(samples.result.run.tool.version);
    expect(hdf.platform).toEqual({
      name: 'ixaudit',
      release: samples.result.run.tool.version,
      target_id: 'jp-sakura, kr-hanbit, no-nordlys, nz-aotearoa',
    });
    expect(hdf.profiles[0].groups.find((g) => g.id === 'controls/RT')).toMatchObject({
      title: 'Routing and transit exposure',
    });
    expect(hdf.profiles[0].groups.flatMap((g) => g.controls).sort()).toEqual(controls.map((c) => c.id).sort());
  });

  it('describes a control with its requirement, remediation, impact from severity and NIST tags', () => {
    const rt02 = control('ICX-RT-02');
    expect(rt02).toMatchObject({
      title: 'No failover to a high-risk carrier',
      desc: 'No route fails over (backups) to a high-risk carrier.',
      impact: 0.7,
    });
    expect(rt02.descriptions.find((d) => d.label === 'fix')!.data).toMatch(
      /^Replace each high-risk backup with a carrier that is not high-risk/,
    );
    expect(rt02.tags).toMatchObject({ severity: 'high', family: 'RT', nist: ['CP-8', 'Rev_5'] });
    expect(rt02.refs).toContainEqual({ ref: 'NIST SP 800-53 Rev. 5 CP-8 (telecommunications services)' });
    expect(rt02.source_location).toEqual({ ref: 'controls/RT/ICX-RT-02.yaml', line: 1 });
    expect(control('ICX-RT-01').impact).toBe(1.0);
    expect(
      nistTags([
        { document: 'NIST SP 800-53 Rev. 5', section: 'SA-9(5)' },
        { document: 'NIST SP 800-53 Rev. 5', section: 'SR-3' },
        { document: 'EU 5G Toolbox' },
      ]),
    ).toEqual(['SA-9 (5)', 'SR-3', 'Rev_5']);
    const attribute = hdf.profiles[0].attributes.find((a) => a.name === 'highRiskJurisdictions');
    expect(attribute!.options.value).toEqual(samples.result.run.profile.parameters.highRiskJurisdictions);
  });

  it('locates each result and says why it failed', () => {
    const result = control('ICX-RT-02').results.find(
      (r) => r.resource_id === 'jp-sakura/RoutingTable/rt-jp-ss7-2026q2#r-0003',
    )!;
    expect(result).toMatchObject({
      status: 'failed',
      resource: 'RoutingTable',
      code_desc: 'jp-sakura RoutingTable/rt-jp-ss7-2026q2#r-0003 (inputs/jp-sakura/routing-ss7.yaml:45:27)',
    });
    expect(result.message).toMatch(/^This standby route fails over to high-risk carrier\(s\) backup 1 ctg/);
    expect(heimdallStatus(control('ICX-RT-02'))).toBe('Failed');
  });

  it('carries waivers: the waived result is skipped with the waiver named, the control has waiver_data', () => {
    const rt01 = control('ICX-RT-01');
    const waived = rt01.results.find((r) => r.resource_id === 'jp-sakura/RoutingTable/rt-jp-ss7-2026q2#r-0001')!;
    expect(waived.status).toBe('skipped');
    expect(waived.skip_message).toMatch(
      /^Waived by w-jp-001 until 2026-12-31: Primary next hop China Mobile International/,
    );
    expect(rt01.waiver_data).toMatchObject({ expiration_date: '2026-12-31', run: true, skipped_due_to_waiver: false });
    expect(rt01.waiver_data!.justification).toBe(
      'w-jp-001 (jp-sakura, regulator/waivers/jp-sakura.yaml:9:7): Accepted because: Legacy Hong Kong SS7 route via CMI; migration to NTT IPX is contracted and scheduled for Q4 2026; approved by 相互接続セキュリティ室 (Interconnect Security Office); ticket SEC-2291; compensating controls: ICX-FW-01, ICX-FW-03, ICX-MON-01. Applied to RoutingTable/rt-jp-ss7-2026q2#r-0001 until 2026-12-31.',
    );
    expect(rt01.waiver_data!.ixaudit_waivers).toEqual([
      {
        id: 'w-jp-001',
        operator: 'jp-sakura',
        status: 'applied',
        expires: '2026-12-31',
        subjects: ['RoutingTable/rt-jp-ss7-2026q2#r-0001'],
        location: 'regulator/waivers/jp-sakura.yaml:9:7',
        justification:
          'Legacy Hong Kong SS7 route via CMI; migration to NTT IPX is contracted and scheduled for Q4 2026.',
        approvedBy: '相互接続セキュリティ室 (Interconnect Security Office)',
        ticket: 'SEC-2291',
        compensatingControls: ['ICX-FW-01', 'ICX-FW-03', 'ICX-MON-01'],
      },
    ]);

    // The waiver that expired the day before the audit: named, but its finding fails again.
    const rt02 = control('ICX-RT-02');
    expect(rt02.waiver_data).toMatchObject({ expiration_date: '2026-06-30', run: true, skipped_due_to_waiver: false });
    expect(rt02.waiver_data!.message).toBe(
      'w-jp-002 (jp-sakura) expired on 2026-06-30: RoutingTable/rt-jp-ss7-2026q2#r-0003 evaluated normally.',
    );
    // A control no waiver touched has no waiver data; the unmatched waiver w-jp-003 (RT-03) is not shown as one.
    expect(control('ICX-RT-03').waiver_data).toBeUndefined();
  });

  it('reads in Heimdall as ixaudit judged: failures fail; informational controls and controls applying to nothing are not applicable', () => {
    const statuses = new Map(hdf.profiles[0].controls.map((c) => [c.id, heimdallStatus(c)]));
    for (const c of samples.result.controls) {
      const findings = samples.result.findings.filter((f) => f.control === c.id);
      const expected = findings.some((f) => f.status === 'error')
        ? 'Profile Error'
        : c.severity === 'info' || findings.every((f) => f.status === 'not-applicable')
          ? 'Not Applicable'
          : findings.some((f) => f.status === 'fail')
            ? 'Failed'
            : findings.some((f) => f.status === 'pass')
              ? 'Passed'
              : 'Not Reviewed';
      expect(statuses.get(c.id), c.id).toBe(expected);
    }
    // Impact 0 is InSpec's "informational / not applicable"; tags.severity keeps the control's own severity.
    const tailored: AuditReport = structuredClone(samples);
    for (const f of tailored.result.findings) if (f.control === 'ICX-RT-06') f.status = 'not-applicable';
    const rt06 = hdfDocument(tailored).profiles[0].controls.find((c) => c.id === 'ICX-RT-06')!;
    expect(rt06).toMatchObject({ impact: 0, tags: { severity: 'medium' } });
    expect(heimdallStatus(rt06)).toBe('Not Applicable');
    expect(rt06.results.every((r) => r.status === 'skipped' && r.skip_message!.startsWith('Not applicable: '))).toBe(
      true,
    );
    expect(control('ICX-RT-06').impact).toBe(0.5);
    const stats = hdf.statistics.controls;
    expect(stats.passed.total + stats.failed.total + stats.skipped.total).toBe(stats.total);
    expect(stats.failed.total).toBe(
      [...statuses.values()].filter((s) => s === 'Failed' || s === 'Profile Error').length,
    );
  });

  it('skips not-evidenced results for review, or fails them when the profile counts them as failures', () => {
    const notEvidenced = samples.result.findings.filter((f) => f.status === 'not-evidenced');
    expect(notEvidenced.length).toBeGreaterThan(0);
    const find = (doc: HdfExecJson, f: (typeof notEvidenced)[number]) =>
      doc.profiles[0].controls
        .find((c) => c.id === f.control)!
        .results.find((r) => r.resource_id === `${f.operator}/${f.subject}`)!;
    for (const f of notEvidenced) {
      const result = find(hdf, f);
      expect(result.status).toBe('skipped');
      expect(result.skip_message).toMatch(/^Not evidenced: /i);
      expect(result.skip_message).toContain(f.message);
      expect(result.skip_message).not.toMatch(/^Not evidenced: Not evidenced/i);
    }
    const strict: AuditReport = structuredClone(samples);
    strict.result.run.profile.parameters.notEvidencedIsFailure = true;
    const strictHdf = hdfDocument(strict);
    for (const f of notEvidenced) expect(find(strictHdf, f)).toMatchObject({ status: 'failed', message: f.message });
  });

  it('reads the same in Heimdall when passing route findings are counted rather than listed', () => {
    const counted = auditReport(['inputs'], { ...REGULATOR, listRouteFindingsUpTo: 3 });
    const groups = counted.result.summarised ?? [];
    expect(groups.length).toBeGreaterThan(0);
    const doc = hdfDocument(counted);
    expect(validate(JSON.parse(JSON.stringify(doc))), JSON.stringify(validate.errors, null, 1)).toBe(true);
    const statuses = (d: HdfExecJson) => new Map(d.profiles[0].controls.map((c) => [c.id, heimdallStatus(c)]));
    expect(statuses(doc)).toEqual(statuses(hdf));
    const group = groups.find((g) => g.status === 'pass')!;
    const result = doc.profiles[0].controls
      .find((c) => c.id === group.control)!
      .results.find((r) => r.resource_id === `${group.operator}/${group.control}/pass`)!;
    expect(result).toMatchObject({
      status: 'passed',
      code_desc: `${group.operator}: ${group.count} route subject(s), counted`,
    });
    expect(result.message).toContain(`e.g. ${group.examples.join(', ')}`);
  });

  it('keeps controls that could not be evaluated visible as errors', () => {
    const dir = tempFiles({
      'table.yaml': `apiVersion: ixaudit/v1
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
`,
    });
    const doc = hdfDocument(auditReport(['test/controls/_base.yaml', dir]));
    expect(validate(JSON.parse(JSON.stringify(doc))), JSON.stringify(validate.errors, null, 1)).toBe(true);
    const rt02 = doc.profiles[0].controls.find((c) => c.id === 'ICX-RT-02')!;
    expect(rt02.results.find((r) => r.resource_id === 'op-jp/RoutingTable/rt#r-1')).toMatchObject({
      status: 'error',
      message: expect.stringContaining('undefined carrier nobody'),
    });
    expect(heimdallStatus(rt02)).toBe('Profile Error');
    expect((doc.passthrough.errors as Array<{ message: string }>).map((e) => e.message)).toContain(
      'unknown carrier "nobody"',
    );
  });

  it('is written piece by piece, one result at a time, byte-identical to the whole document', () => {
    const chunks = [...hdfJsonChunks(samples)];
    expect(chunks.join('')).toBe(`${JSON.stringify(hdfDocument(samples), null, 2)}\n`);
    expect(Math.max(...chunks.map((c) => c.split('"code_desc"').length - 1))).toBe(1);
  });

  it('writes hdf.json atomically, byte-identical for the same inputs, and is registered', async () => {
    const out = tempFiles({});
    const [path] = await hdfReporter.write(presentationOf(samples), out, {});
    expect(path).toBe(join(out, HDF_FILE));
    expect(readFileSync(path, 'utf8')).toBe(hdfJson(auditReport(['inputs'], REGULATOR)));
    const inputs = JSON.parse(readFileSync(path, 'utf8')).passthrough.inputs;
    expect(inputs).toContainEqual(
      expect.objectContaining({
        file: 'inputs/jp-sakura/routing-ss7.yaml',
        sha256: samples.result.run.inputs.find((i) => i.file === 'inputs/jp-sakura/routing-ss7.yaml')!.sha256,
      }),
    );
    expect(REPORTERS).toContain(hdfReporter);
  });
});
