import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { controlsDocText } from '../src/cli/controls-command.js';
import { findingOf } from './support/findings.js';
import { audit } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { run as cli } from './support/run.js';

const BASE = 'test/controls/_base.yaml';

// A table exported 45 days before the audit date, a route with no backup, and an agreement that says
// nothing about government requests: what the strict profile judges differently from the default.
const SUBMISSION = `apiVersion: ixaudit/v1
kind: RoutingTable
metadata: {id: rt, operator: op-jp}
spec:
  protocol: ss7
  exportedAt: 2026-05-17
  routes:
    - id: r-1
      match: {gtPrefix: "49"}
      destination: {country: DE}
      primary: {carrier: clean-de}
      backups: [{carrier: risky-hub}]
      firewall: fw
      encryption: ipsec
      status: active
---
apiVersion: ixaudit/v1
kind: FirewallPolicy
metadata: {id: fw, operator: op-jp}
spec: {ss7: {mode: block}}
---
apiVersion: ixaudit/v1
kind: InterconnectAgreement
metadata: {id: ag, operator: op-jp}
spec: {counterparty: clean-de, services: [ss7-transit], signed: 2025-01-01}
`;

function run(profile: string, options: { profileId?: string } = {}) {
  const dir = tempFiles({ 'sub.yaml': SUBMISSION, 'profile.yaml': profile });
  // The profile is the auditor's (--profile FILE), never part of the submission.
  return audit([BASE, join(dir, 'sub.yaml')], {
    profileFiles: [join(dir, 'profile.yaml')],
    profileId: options.profileId ?? 'mine',
  });
}

const finding = (result: ReturnType<typeof run>, control: string, subject: string) =>
  findingOf(result.findings, control, subject);

describe('tailoring with profiles', () => {
  const own = (body: string) =>
    `apiVersion: ixaudit/v1\nkind: AuditProfile\nmetadata: {id: mine}\nspec:\n  auditDate: 2026-07-01\n${body}`;

  it('the shipped strict profile tightens parameters, raises severities and counts silence as failure', () => {
    const lenient = run(own('  extends: default\n'));
    const strict = run(own('  extends: strict\n'));
    expect(strict.errors).toEqual([]);
    expect(strict.run.profile.chain).toEqual(['mine', 'strict', 'default']);
    // 45 days old: within the default 90, beyond strict's 30.
    expect(finding(lenient, 'ICX-RT-09', 'RoutingTable/rt')).toMatchObject({
      status: 'pass',
      evidence: { ageDays: 45, limit: 90 },
    });
    expect(finding(strict, 'ICX-RT-09', 'RoutingTable/rt')).toMatchObject({
      status: 'fail',
      evidence: { ageDays: 45, limit: 30 },
    });
    // A high-risk backup is critical under strict.
    expect(finding(lenient, 'ICX-RT-02', 'RoutingTable/rt#r-1')).toMatchObject({ status: 'fail', severity: 'high' });
    expect(finding(strict, 'ICX-RT-02', 'RoutingTable/rt#r-1')).toMatchObject({ status: 'fail', severity: 'critical' });
    // The missing government-request clause is not evidenced under both; only strict counts it as failing.
    expect(finding(strict, 'ICX-CT-02', 'InterconnectAgreement/ag')?.status).toBe('not-evidenced');
    expect(strict.run.profile).toMatchObject({
      failOn: 'medium',
      parameters: { notEvidencedIsFailure: true, maxGovernmentRequestNotifyHours: 24 },
    });
    expect(strict.controls.find((c) => c.id === 'ICX-RT-09')?.parameters).toEqual({ maxRoutingDataAgeDays: 30 });
  });

  it("a profile of one's own overrides what it extends: parameters, disabled controls, severities", () => {
    const result = run(
      own(
        '  extends: strict\n  parameters: {maxRoutingDataAgeDays: 60}\n  controls:\n    disable: [ICX-RES-02]\n    severity: {ICX-RT-02: medium}\n',
      ),
    );
    expect(finding(result, 'ICX-RT-09', 'RoutingTable/rt')).toMatchObject({ status: 'pass', evidence: { limit: 60 } });
    expect(finding(result, 'ICX-RT-02', 'RoutingTable/rt#r-1')?.severity).toBe('medium');
    expect(result.findings.some((f) => f.control === 'ICX-RES-02')).toBe(false);
    expect(result.run.profile.disabled).toEqual(['ICX-RES-02']);
    expect(result.run.catalog.controls).toBe(40);
  });
});

describe('ixaudit controls', () => {
  it('list --profile strict shows what the profile changes, control by control', async () => {
    const { code, stdout } = await cli('controls', 'list', '--profile', 'strict');
    expect(code).toBe(0);
    expect(stdout).toContain('Controls of catalog 1.0.2 under profile strict (strict → default):');
    expect(stdout).toMatch(
      /Changes against default:\n {2}fail-on high → medium\n {2}notEvidencedIsFailure false → true\n/,
    );
    expect(stdout).toMatch(
      /ICX-RT-02\s+critical .*\[severity high → critical by profile; highRiskListings .*"us-fcc-order-to-show-cause"\] by profile\]/,
    );
    expect(stdout).toMatch(
      /ICX-RT-09\s+medium\s+Routing data is recent {2}\[maxRoutingDataAgeDays 90 → 30 by profile\]/,
    );
    expect(stdout).toMatch(/ICX-RES-01\s+medium .*\[maxCarrierShare 60 → 50 by profile\]/);
    // Untouched controls carry no note.
    expect(stdout).toMatch(/ICX-CT-09\s+medium\s+Governing law is not that of a high-risk jurisdiction\n/);
    expect(stdout.match(/^ICX-/gm)).toHaveLength(41);
  });

  it('list without a profile shows the default and no changes', async () => {
    const { stdout } = await cli('controls', 'list');
    expect(stdout).toContain('Controls of catalog 1.0.2 under profile default (default):');
    expect(stdout).not.toContain('Changes against');
    expect(stdout).not.toContain('by profile');
  });

  it('docs FILE writes the generated catalog documentation', async () => {
    const out = join(tempFiles({}), 'controls.md');
    const { code, stdout } = await cli('controls', 'docs', out);
    expect(code).toBe(0);
    expect(stdout).toContain('(41 controls, profile default)');
    expect(readFileSync(out, 'utf8')).toBe(controlsDocText().text);
  });

  it('docs under a profile documents the values that profile sets', async () => {
    const out = join(tempFiles({}), 'strict.md');
    expect((await cli('controls', 'docs', out, '--profile', 'strict')).code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('Values under profile `strict`.');
    expect(text).toMatch(/\| `maxRoutingDataAgeDays` \| `30` \| ICX-RT-09 \|/);
  });

  it('show explains applicability and the not-evidenced rule', async () => {
    const { code, stdout } = await cli('controls', 'show', 'icx-ct-02');
    expect(code).toBe(0);
    expect(stdout).toContain('ICX-CT-02 — Government data requests are notified promptly');
    expect(stdout).toContain('Catalog: 1.0.2 (this meaning since 1.0.0)');
    expect(stdout).toContain('Evidenced when (CEL): has(agreement.clauses.governmentRequests)');
    expect(stdout).toContain('Parameter maxGovernmentRequestNotifyHours = 72');
  });
});
