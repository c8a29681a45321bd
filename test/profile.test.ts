import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProfileError } from '../src/audit/run-audit.js';
import { findingOf } from './support/findings.js';
import { audit } from './support/audit.js';
import { tempFiles } from './support/files.js';

const OPERATOR = `apiVersion: ixaudit/v1
kind: Operator
metadata: {id: op-x}
spec: {country: JP, networks: [gsm]}
---
apiVersion: ixaudit/v1
kind: Carrier
metadata: {id: ru-carrier}
spec: {incorporatedIn: RU, ownership: []}
---
apiVersion: ixaudit/v1
kind: Carrier
metadata: {id: de-carrier}
spec: {incorporatedIn: DE, ownership: []}
---
apiVersion: ixaudit/v1
kind: InterconnectAgreement
metadata: {id: ag-ru, operator: op-x}
spec: {counterparty: ru-carrier, services: [ss7-transit], signed: 2025-01-01}
---
apiVersion: ixaudit/v1
kind: InterconnectAgreement
metadata: {id: ag-de, operator: op-x}
spec: {counterparty: de-carrier, services: [ss7-transit], signed: 2025-01-01}
`;

const PROFILE = (id: string, body: string) => `---
apiVersion: ixaudit/v1
kind: AuditProfile
metadata: {id: ${id}}
spec:
${body}`;

/** Audits the documents of `text`: its AuditProfiles as the auditor's profile file, the rest as the submission. */
function run(text: string, options = {}) {
  const docs = text.split(/^---\n/m).filter((d) => d.trim() !== '');
  const profiles = docs.filter((d) => /^kind: AuditProfile$/m.test(d));
  const submission = docs.filter((d) => !profiles.includes(d));
  const dir = tempFiles({ 'sub.yaml': submission.join('---\n'), 'profile.yaml': profiles.join('---\n') });
  return audit([join(dir, 'sub.yaml')], {
    ...(profiles.length > 0 ? { profileFiles: [join(dir, 'profile.yaml')] } : {}),
    ...options,
  });
}

describe('profiles', () => {
  it('uses the shipped default profile and today when the inputs hold none', () => {
    const result = run(OPERATOR);
    expect(result.run.profile).toMatchObject({ id: 'default', chain: ['default'], failOn: 'high' });
    expect(result.run).toMatchObject({ auditDate: '2026-07-01', auditDateSource: 'today' });
    expect(findingOf(result.findings, 'ICX-OWN-02', 'InterconnectAgreement/ag-ru')?.status).toBe('fail');
  });

  it('takes the audit date from --date when the profile sets none, and from the profile first', () => {
    expect(run(OPERATOR, { date: '2026-03-01' }).run).toMatchObject({
      auditDate: '2026-03-01',
      auditDateSource: 'option',
    });
    const withDate = run(OPERATOR + PROFILE('p', '  auditDate: 2026-05-05\n'), { date: '2026-03-01' });
    expect(withDate.run).toMatchObject({ auditDate: '2026-05-05', auditDateSource: 'profile' });
  });

  it('applies parameters, disabled controls and severity overrides through extends', () => {
    const text =
      OPERATOR +
      PROFILE(
        'base-reg',
        '  parameters: {highRiskJurisdictions: [DE]}\n  controls: {severity: {ICX-OWN-02: critical}}\n',
      ) +
      PROFILE('strict-reg', '  extends: base-reg\n  controls: {disable: [ICX-CT-05]}\n  failOn: medium\n');
    const result = run(text, { profileId: 'strict-reg' });
    expect(result.errors).toEqual([]);
    expect(result.run.profile).toMatchObject({
      id: 'strict-reg',
      chain: ['strict-reg', 'base-reg', 'default'],
      failOn: 'medium',
      disabled: ['ICX-CT-05'],
    });
    const own02 = (id: string) => findingOf(result.findings, 'ICX-OWN-02', `InterconnectAgreement/${id}`);
    expect(own02('ag-de')).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(own02('ag-ru')).toMatchObject({ status: 'pass' }); // RU is no longer listed by this profile
    expect(result.findings.some((f) => f.control === 'ICX-CT-05')).toBe(false);
    // Parameters not overridden still come from the default profile.
    expect(result.run.profile.parameters.maxCarrierShare).toBe(60);
  });

  it('asks for --profile when the inputs hold several profiles', () => {
    const result = run(OPERATOR + PROFILE('a', '  failOn: low\n') + PROFILE('b', '  failOn: low\n'));
    expect(result.errors.map((e) => e.message)).toEqual([
      'several AuditProfiles among the inputs (a, b): choose one with --profile; using "default"',
    ]);
  });

  it('reports an unknown --profile id, and audits nothing under another profile', () => {
    let error: unknown;
    try {
      run(OPERATOR, { profileId: 'nope' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ProfileError);
    expect((error as ProfileError).diagnostics[0]).toMatchObject({
      code: 'profile',
      message: expect.stringContaining('no AuditProfile with id "nope"'),
    });
  });

  it('reports not-evidenced on the Operator when a needed document was never submitted', () => {
    const result = run(OPERATOR);
    expect(result.findings.find((f) => f.control === 'ICX-FW-01')).toMatchObject({
      subject: 'Operator/op-x',
      status: 'not-evidenced',
    });
    expect(result.findings.find((f) => f.control === 'ICX-FW-05')).toMatchObject({
      subject: 'Operator/op-x',
      status: 'not-applicable',
    });
  });

  it('counts not-evidenced as failing when the profile says so', () => {
    const lenient = run(OPERATOR.replace('ru-carrier, services', 'de-carrier, services'));
    expect(lenient.summary.operators[0].result).toBe('PASS');
    const strict = run(
      OPERATOR.replace('ru-carrier, services', 'de-carrier, services') +
        PROFILE('p', '  parameters: {notEvidencedIsFailure: true}\n'),
    );
    expect(strict.summary.operators[0].result).toBe('FAIL');
  });
});
