import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findingOf, subjectFindings } from './support/findings.js';
import { audit } from './support/audit.js';
import { tempDir, tempFiles } from './support/files.js';
import { REGULATOR, run, runWith, SAMPLES } from './support/run.js';
import { requireTools } from './support/tools.js';

// Issue 12: the audited operator is the adversary. Each test reproduces one observation of the issue
// with the bundled samples (inputs/ = the submissions, regulator/ = the auditor's profile, registry and
// waivers) or a few lines of YAML, and asserts what a regulator must now see.

/** A copy of the sample submissions that a test may change; the regulator's folder stays the shipped one. */
function submissionsCopy(): string {
  const dir = tempDir('ixaudit-trust-');
  cpSync('inputs', dir, { recursive: true });
  return dir;
}

const baseline = audit(['inputs'], REGULATOR);
const findingsOf = (result: ReturnType<typeof audit>, operator: string) =>
  subjectFindings(result.findings)
    .filter((f) => f.operator === operator)
    .map((f) => `${f.control} ${f.subject} ${f.status}`);

const ALL_DISABLED = (id: string) => `apiVersion: ixaudit/v1
kind: AuditProfile
metadata: {id: ${id}}
spec:
  controls:
    disable: [${baseline.controls.map((c) => c.id).join(', ')}]
  failOn: high
`;

describe('1. an AuditProfile planted in a submission', () => {
  for (const id of ['strict', 'default', 'operator-own']) {
    it(`(id ${id}) is a located error, is not applied, and the operator is never PASS`, () => {
      const dir = submissionsCopy();
      writeFileSync(join(dir, 'no-nordlys', 'profile.yaml'), ALL_DISABLED(id));
      const result = audit([dir], REGULATOR);
      const error = result.errors.find((e) => e.file.endsWith('no-nordlys/profile.yaml'));
      expect(error).toMatchObject({
        code: 'conflict',
        line: 2,
        column: 7,
        message: expect.stringContaining('an AuditProfile in a submission is not applied'),
      });
      // The auditor's profile and every control stay in force for every operator.
      expect(result.run.profile.id).toBe('sample-2026h1');
      expect(result.controls).toHaveLength(baseline.controls.length);
      for (const op of ['jp-sakura', 'kr-hanbit', 'nz-aotearoa'])
        expect(findingsOf(result, op)).toEqual(findingsOf(baseline, op));
      const nordlys = result.summary.operators.find((o) => o.id === 'no-nordlys')!;
      expect(nordlys.result).toBe('INCOMPLETE');
      expect(nordlys.incomplete.join('\n')).toContain('no-nordlys/profile.yaml:2:7');
    });
  }

  it('also when --profile names the shipped profile: strict stays the shipped strict', async () => {
    const dir = submissionsCopy();
    writeFileSync(join(dir, 'jp-sakura', 'profile.yaml'), ALL_DISABLED('strict'));
    const out = tempFiles({});
    const { code, stderr } = await run(
      'audit',
      dir,
      '--profile',
      'strict',
      '--registry',
      'regulator/registry',
      '--date',
      '2026-07-01',
      '--out',
      out,
      '--format',
      'json',
    );
    expect(code).toBe(1); // strict fails at medium: the samples fail
    expect(stderr).toContain('an AuditProfile in a submission is not applied');
    const result = JSON.parse(readFileSync(join(out, 'findings.json'), 'utf8'));
    expect(result.run.profile).toMatchObject({ id: 'strict', disabled: [] });
    expect(result.summary.result).toBe('FAIL');
  });
});

describe('2. a Carrier that redefines a registry entry', () => {
  it('is a conflict naming both places; the registry fact stands for every operator', () => {
    const dir = submissionsCopy();
    writeFileSync(
      join(dir, 'kr-hanbit', 'cmi.yaml'),
      `apiVersion: ixaudit/v1
kind: Carrier
metadata: {id: cmi, name: China Mobile International}
spec:
  roles: [ipx]
  incorporatedIn: SG
  headquarters: SG
  ownership: []
`,
    );
    const result = audit([dir], REGULATOR);
    const error = result.errors.find((e) => e.file.endsWith('kr-hanbit/cmi.yaml'))!;
    expect(error).toMatchObject({ code: 'conflict', line: 3 });
    expect(error.message).toMatch(
      /Carrier "cmi" is defined by the bundled registry \(ixaudit:registry\/carriers\.yaml:\d+:\d+\); a submission cannot redefine it/,
    );
    // jp-sakura's findings are exactly those of the unchanged samples: its critical ICX-OWN-03 on cmi still fails.
    expect(findingsOf(result, 'jp-sakura')).toEqual(findingsOf(baseline, 'jp-sakura'));
    expect(
      findingOf(
        result.findings.filter((f) => f.operator === 'jp-sakura'),
        'ICX-OWN-03',
        'Carrier/cmi',
      ),
    ).toMatchObject({ status: 'fail' });
    expect(result.summary.operators.find((o) => o.id === 'kr-hanbit')!.result).toBe('FAIL');
  });

  it('a carrier two submissions declare differently is a conflict; a new carrier is shown as declared by its operator', () => {
    const carrier = (country: string) => `apiVersion: ixaudit/v1
kind: Carrier
metadata: {id: brand-new-hub, name: Brand New Hub}
spec:
  roles: [sms-hub]
  incorporatedIn: ${country}
  headquarters: ${country}
  ownership: []
`;
    const dir = submissionsCopy();
    writeFileSync(join(dir, 'jp-sakura', 'hub.yaml'), carrier('JP'));
    writeFileSync(join(dir, 'kr-hanbit', 'hub.yaml'), carrier('KR'));
    const result = audit([dir], REGULATOR);
    expect(result.errors.find((e) => e.file.endsWith('kr-hanbit/hub.yaml'))).toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/Carrier "brand-new-hub" is declared differently at .*jp-sakura\/hub\.yaml:3:\d+/),
    });
  });
});

describe('3. waivers', () => {
  const request = (operator: string) => `apiVersion: ixaudit/v1
kind: Waiver
metadata: {id: w-self, operator: ${operator}}
spec:
  control: ICX-OWN-03
  targets: ["Carrier/cmi"]
  justification: We waive our own critical finding.
  compensatingControls: [ICX-FW-01]
  approvedBy: Ourselves
  ticket: SELF-1
  expires: 2026-12-31
`;

  it('a waiver inside a submission is a request: reported, the finding unchanged', () => {
    const dir = submissionsCopy();
    writeFileSync(join(dir, 'jp-sakura', 'self-waiver.yaml'), request('jp-sakura'));
    const result = audit([dir], REGULATOR);
    expect(result.waivers.find((w) => w.id === 'w-self')).toMatchObject({
      status: 'requested',
      source: 'submission',
      matched: ['Carrier/cmi'],
      justification: 'We waive our own critical finding.',
    });
    expect(
      findingOf(
        result.findings.filter((f) => f.operator === 'jp-sakura'),
        'ICX-OWN-03',
        'Carrier/cmi',
      ),
    ).toMatchObject({ status: 'fail' });
    expect(result.summary.operators.find((o) => o.id === 'jp-sakura')!.result).toBe('FAIL');
  });

  it('the same waiver from the auditor (--waivers) applies', () => {
    const waivers = tempFiles({ 'accepted.yaml': request('jp-sakura') });
    const result = audit(['inputs'], { ...REGULATOR, waiverPaths: [waivers] });
    expect(result.waivers.find((w) => w.id === 'w-self')).toMatchObject({ status: 'applied', source: 'auditor' });
    expect(
      findingOf(
        result.findings.filter((f) => f.operator === 'jp-sakura'),
        'ICX-OWN-03',
        'Carrier/cmi',
      ),
    ).toMatchObject({ status: 'waived' });
  });

  it('an operator assessing itself accepts its own waivers with acceptSubmissionWaivers', () => {
    const profile = tempFiles({
      'self.yaml': `apiVersion: ixaudit/v1
kind: AuditProfile
metadata: {id: self-assessment}
spec:
  extends: default
  auditDate: 2026-07-01
  acceptSubmissionWaivers: true
`,
    });
    const dir = submissionsCopy();
    writeFileSync(join(dir, 'jp-sakura', 'self-waiver.yaml'), request('jp-sakura'));
    const result = audit([dir], { profileFiles: [join(profile, 'self.yaml')], registryPaths: ['regulator/registry'] });
    expect(result.waivers.find((w) => w.id === 'w-self')).toMatchObject({ status: 'applied', source: 'submission' });
  });
});

describe('5. what cannot be loaded is named, and the operator is INCOMPLETE, never PASS', () => {
  it('a typo in a route drops that route only, not its table', () => {
    const dir = submissionsCopy();
    const file = join(dir, 'no-nordlys', 'routing-ss7.yaml');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace(/status: active/, 'status: actve'));
    const result = audit([dir], REGULATOR);
    const nordlys = result.summary.operators.find((o) => o.id === 'no-nordlys')!;
    expect(nordlys.result).toBe('INCOMPLETE');
    expect(nordlys.incomplete).toHaveLength(1);
    expect(nordlys.incomplete[0]).toMatch(
      /no-nordlys\/routing-ss7\.yaml:\d+:\d+: .*1 route\(s\) of table rt-no-ss7-2026q2 could not be loaded and were not audited; the rest of the table was/,
    );
    const before = subjectFindings(baseline.findings).filter(
      (f) => f.operator === 'no-nordlys' && f.subject.startsWith('RoutingTable/rt-no-ss7-2026q2#'),
    ).length;
    const after = subjectFindings(result.findings).filter(
      (f) => f.operator === 'no-nordlys' && f.subject.startsWith('RoutingTable/rt-no-ss7-2026q2#'),
    ).length;
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThan(before);
    // The routes kept still point at their own lines.
    for (const f of result.findings.filter((x) => x.subject.startsWith('RoutingTable/rt-no-ss7-2026q2#'))) {
      const twin = baseline.findings.find((b) => b.fingerprint === f.fingerprint);
      if (twin) expect(f.location).toEqual({ ...twin.location, file: f.location.file });
    }
  });

  it('a typo that drops a whole table makes the operator INCOMPLETE, named on the first page of its report', async () => {
    const dir = submissionsCopy();
    const file = join(dir, 'no-nordlys', 'routing-ss7.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('protocol: ss7', 'protocol: ss8'));
    const out = tempFiles({});
    const { code } = await run(
      'audit',
      dir,
      '--profile',
      'regulator/profile.yaml',
      '--registry',
      'regulator/registry',
      '--out',
      out,
      '--format',
      'json,pdf',
    );
    expect(code).toBe(1); // others fail; the input error does not hide that
    const result = JSON.parse(readFileSync(join(out, 'findings.json'), 'utf8'));
    expect(result.summary.operators.find((o: { id: string }) => o.id === 'no-nordlys')).toMatchObject({
      result: 'INCOMPLETE',
    });
    expect(result.summary.result).toBe('FAIL');
  });

  it('an Operator document that fails its schema keeps the operator in the run, INCOMPLETE', () => {
    const dir = submissionsCopy();
    const file = join(dir, 'kr-hanbit', 'operator.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/networks: \[/, 'networks: [6g, '));
    const result = audit([dir], REGULATOR);
    const hanbit = result.summary.operators.find((o) => o.id === 'kr-hanbit')!;
    expect(hanbit).toMatchObject({ result: 'INCOMPLETE' });
    expect(hanbit.incomplete[0]).toContain('the Operator document could not be loaded');
    expect(result.summary.operators).toHaveLength(4);
    expect(result.summary.result).toBe('FAIL');
    // Its other documents say why they are not audited, not "unknown operator".
    const agreements = result.errors.find((e) => e.file.endsWith('kr-hanbit/agreements.yaml'))!;
    expect(agreements.message).toContain('the Operator document of "kr-hanbit" could not be loaded');
  });
});

describe('6. input ids that are also the names of Object.prototype members', () => {
  // Ids must match [a-z0-9][a-z0-9._-]*: "constructor" is valid and must audit normally; the others are
  // rejected by the schema with a located error, and must not crash anything on the way there.
  for (const id of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
    it(`"${id}" as the id of every kind audits without an internal error`, () => {
      const q = JSON.stringify(id);
      const dir = tempFiles({
        'sub.yaml': `apiVersion: ixaudit/v1
kind: Operator
metadata: {id: op-jp}
spec: {country: JP, plmns: ["440-99"], networks: [gsm]}
---
apiVersion: ixaudit/v1
kind: Operator
metadata: {id: ${q}}
spec: {country: JP, plmns: ["440-98"], networks: [gsm]}
---
apiVersion: ixaudit/v1
kind: Owner
metadata: {id: ${q}}
spec: {type: company, country: JP, ownership: []}
---
apiVersion: ixaudit/v1
kind: Owner
metadata: {id: parent-co}
spec: {type: company, country: JP, ownership: []}
---
apiVersion: ixaudit/v1
kind: Carrier
metadata: {id: ${q}}
spec:
  roles: [ss7-transit]
  incorporatedIn: JP
  headquarters: JP
  ownership: [{owner: parent-co, share: 100}]
---
apiVersion: ixaudit/v1
kind: InterconnectAgreement
metadata: {id: ${q}, operator: op-jp}
spec: {counterparty: ${q}, services: [ss7-transit], signed: 2026-01-01}
---
apiVersion: ixaudit/v1
kind: FirewallPolicy
metadata: {id: ${q}, operator: op-jp}
spec: {ss7: {mode: block}}
---
apiVersion: ixaudit/v1
kind: Waiver
metadata: {id: ${q}, operator: op-jp}
spec: {control: ICX-RT-01, targets: ["RoutingTable/${id}#${id}"], justification: x, compensatingControls: [], approvedBy: x, ticket: x, expires: 2026-12-31}
---
apiVersion: ixaudit/v1
kind: RoutingTable
metadata: {id: ${q}, operator: op-jp}
spec:
  protocol: ss7
  routes:
    - {id: ${q}, match: {gtPrefix: "81"}, destination: {country: JP}, primary: {carrier: ${q}}, firewall: ${q}, status: active}
`,
      });
      const result = audit([dir], { date: '2026-07-01' });
      expect(result.findings.filter((f) => f.control === 'ICX-ENGINE')).toEqual([]);
      expect(result.findings.filter((f) => f.status === 'error')).toEqual([]);
      if (/^[a-z0-9][a-z0-9._-]*$/.test(id)) {
        expect(result.errors).toEqual([]);
        expect(result.summary.operators.map((o) => o.id)).toEqual([id, 'op-jp'].sort());
        expect(
          subjectFindings(result.findings).filter(
            (f) => f.operator === 'op-jp' && f.subject === `RoutingTable/${id}#${id}`,
          ).length,
        ).toBeGreaterThan(5);
        expect(result.waivers).toMatchObject([{ id, status: 'requested' }]);
      } else {
        // Every document with the id is rejected at its metadata.id line, the operator is INCOMPLETE.
        expect(result.errors.filter((e) => e.code === 'schema').length).toBeGreaterThanOrEqual(7);
        expect(result.summary.operators.find((o) => o.id === 'op-jp')!.result).toBe('INCOMPLETE');
      }
    });
  }

  it('an internal error is ERROR and exit 3, never PASS', async () => {
    const out = tempFiles({});
    const { code, stdout } = await runWith(
      { faults: { operator: 'no-nordlys' } },
      'audit',
      ...SAMPLES,
      '--out',
      out,
      '--format',
      'json',
      '--fail-on',
      'critical',
    );
    const result = JSON.parse(readFileSync(join(out, 'findings.json'), 'utf8'));
    expect(result.summary.operators.find((o: { id: string }) => o.id === 'no-nordlys')).toMatchObject({
      result: 'ERROR',
    });
    // Others fail at critical, and that is not hidden by the error.
    expect(code).toBe(1);
    expect(stdout).toContain('ERROR no-nordlys');
  });
});

describe('a profile of the auditor that disables every control', () => {
  it('is reported, and no operator reads PASS (issue 14, item 16)', () => {
    const dir = tempFiles({
      'all-off.yaml': ALL_DISABLED('all-off').replace(
        'spec:\n',
        'spec:\n  extends: default\n  auditDate: 2026-07-01\n',
      ),
    });
    const result = audit(['inputs/no-nordlys'], {
      profileFiles: [join(dir, 'all-off.yaml')],
      registryPaths: ['regulator/registry'],
    });
    expect(result.findings).toEqual([]);
    expect(result.errors).toMatchObject([
      { code: 'usage', message: expect.stringContaining('disables every control of the catalog') },
    ]);
    expect(result.summary.operators.map((o) => o.result)).toEqual(['INCOMPLETE']);
    expect(result.summary.result).toBe('INCOMPLETE');
  });
});

describe('7. with --fail-on none no report claims PASS', () => {
  it('every operator PDF, sector.pdf, index.html and the terminal read NOT GATED beside the failures', async (context) => {
    const out = tempFiles({});
    const { code, stdout } = await run(
      'audit',
      ...SAMPLES,
      '--fail-on',
      'none',
      '--out',
      out,
      '--format',
      'json,pdf,html',
    );
    expect(code).toBe(0);
    expect(stdout).toContain('Overall result: NOT GATED');
    const result = JSON.parse(readFileSync(join(out, 'findings.json'), 'utf8'));
    expect(result.summary.result).toBe('NOT GATED');
    expect(result.summary.operators.map((o: { result: string }) => o.result)).toEqual([
      'NOT GATED',
      'NOT GATED',
      'NOT GATED',
      'NOT GATED',
    ]);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain('NOT GATED');
    expect(html).not.toMatch(/>\s*PASS\s*</);
    requireTools(context, ['pdftotext']);
    const text = (file: string) => execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    for (const file of ['jp-sakura/report.pdf', 'sector.pdf']) {
      const pdf = text(join(out, file));
      expect(pdf, file).toContain('NOT GATED');
      // The methodology may explain when PASS is given ("neither is ever PASS"); no result may read PASS.
      expect(pdf.replace(/\b(?:never|ever) PASS\b/g, ''), file).not.toMatch(/\bPASS\b/);
      expect(pdf, file).not.toContain('severity none or above');
      // The appendix lists what the regulator's registry files added to the bundled registry.
      expect(pdf, file).toContain("What the auditor's registry files changed");
      expect(pdf, file).toMatch(/Carrier\/hanbit-transit\s+added\s+regulator\/registry\/parties\.yaml:12:7/);
    }
    expect(result.run.registryChanges).toContainEqual({
      kind: 'Carrier',
      id: 'hanbit-transit',
      change: 'added',
      at: 'regulator/registry/parties.yaml:12:7',
      replaces: '',
    });
  });
});

describe('13. exit codes never hide a failure', () => {
  it('a failing audit plus a mistyped path exits 1, and the input error is in the summary', async () => {
    const out = tempFiles({});
    const { code, stdout, stderr } = await run(
      'audit',
      ...SAMPLES,
      'inputs/no-such-operator',
      '--out',
      out,
      '--json',
      '--format',
      'json',
    );
    expect(code).toBe(1);
    expect(stderr).toContain('inputs/no-such-operator: no such file or folder');
    expect(JSON.parse(stdout)).toMatchObject({ exitCode: 1, result: 'FAIL', errors: 1 });
  });

  it('a template error is a usage error (exit 2) with its file:line:column, not "cannot write reports"', async () => {
    const templates = tempFiles({ 'pdf/cover.hbs': '# Report\n{{#if}}\n' });
    const out = tempFiles({});
    const { code, stderr } = await run(
      'audit',
      ...SAMPLES,
      '--out',
      out,
      '--format',
      'pdf',
      '--template-dir',
      templates,
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/cover\.hbs:\d+:\d+/);
    expect(stderr).not.toContain('cannot write reports');
  });

  it('a profile that names an unknown control is a located error and nothing is audited', async () => {
    const profile = tempFiles({
      'p.yaml': `apiVersion: ixaudit/v1
kind: AuditProfile
metadata: {id: typo}
spec:
  extends: default
  controls:
    disable: [ICX-OWN-4]
`,
    });
    const out = tempFiles({});
    const { code, stderr } = await run(
      'audit',
      'inputs',
      '--profile',
      join(profile, 'p.yaml'),
      '--registry',
      'regulator/registry',
      '--out',
      out,
      '--format',
      'json',
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/p\.yaml:7:\d+: .*ICX-OWN-4/);
    expect(stderr).toContain('nothing was audited');
  });
});
