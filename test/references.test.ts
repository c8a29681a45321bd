import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../src/model/types.js';
import { findingOf } from './support/findings.js';
import { audit } from './support/audit.js';
import { tempDir, tempFiles } from './support/files.js';
import { REGULATOR } from './support/run.js';

/** A copy of the sample submissions, changed by `edit`. */
function submissionsWith(edit: (root: string) => void): string {
  const dir = tempDir('ixaudit-refs-');
  cpSync('inputs', dir, { recursive: true });
  edit(dir);
  return dir;
}

const BASE = 'test/controls/_base.yaml';

function run(text: string) {
  const dir = tempFiles({ 'sub.yaml': text });
  const result = audit([BASE, join(dir, 'sub.yaml')]);
  return result;
}

function errors(text: string): string[] {
  const dir = tempFiles({ 'sub.yaml': text });
  return audit([BASE, join(dir, 'sub.yaml')]).errors.map((e) =>
    formatDiagnostic({ ...e, file: e.file.endsWith('sub.yaml') ? 'sub.yaml' : e.file }),
  );
}

const TABLE = `apiVersion: ixaudit/v1
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
      firewall: fw-missing
      status: active
    - id: r-1
      match: {gtPrefix: "33"}
      destination: {country: FR}
      primary: {carrier: clean-de}
      status: active
`;

describe('referential integrity', () => {
  it('reports unknown carriers, firewalls and duplicate route ids at the referencing line', () => {
    expect(errors(TABLE)).toEqual([
      'sub.yaml:11:27: unknown carrier "nobody"',
      'sub.yaml:12:17: unknown firewall policy of operator op-jp "fw-missing"',
      'sub.yaml:14:11: duplicate route id "r-1" in this table (first at line 7)',
    ]);
  });

  it('still audits the route and marks controls that need the unknown carrier as errors', () => {
    const dir = tempFiles({ 'sub.yaml': TABLE });
    const result = audit([BASE, join(dir, 'sub.yaml')]);
    const rt02 = findingOf(result.findings, 'ICX-RT-02', 'RoutingTable/rt#r-1');
    expect(rt02).toMatchObject({ status: 'error', message: expect.stringContaining('undefined carrier nobody') });
    // The rest of the audit went on: RT-01 judged the same route.
    expect(findingOf(result.findings, 'ICX-RT-01', 'RoutingTable/rt#r-1')?.status).toBe('error');
    // ...and the aggregate over the table was still measured (no trafficShare given: not evidenced).
    expect(result.findings.find((f) => f.control === 'ICX-RES-01')).toMatchObject({
      subject: 'RoutingTable/rt',
      status: 'not-evidenced',
    });
  });

  it('reports an unknown counterparty, an unknown operator and an unknown owner', () => {
    const text = `apiVersion: ixaudit/v1
kind: InterconnectAgreement
metadata: {id: ag, operator: op-jp}
spec: {counterparty: ghost, services: [ipx-transit], signed: 2025-01-01}
---
apiVersion: ixaudit/v1
kind: FirewallPolicy
metadata: {id: fw, operator: op-nowhere}
spec: {}
---
apiVersion: ixaudit/v1
kind: Carrier
metadata: {id: orphan}
spec:
  incorporatedIn: GB
  ownership: [{owner: missing-parent, share: 100}]
`;
    expect(errors(text)).toEqual([
      'sub.yaml:4:22: unknown carrier "ghost"',
      'sub.yaml:8:30: unknown operator "op-nowhere": no Operator document has this id, so this FirewallPolicy is not audited',
      'sub.yaml:16:23: unknown owner (no Owner or Carrier has this id) "missing-parent"',
    ]);
  });

  it('reports duplicate document ids at the second definition', () => {
    const doc = 'apiVersion: ixaudit/v1\nkind: FirewallPolicy\nmetadata: {id: fw, operator: op-jp}\nspec: {}\n';
    const result = errors(`${doc}---\n${doc}`);
    expect(result).toHaveLength(1);
    expect(result[0]).toMatch(
      /^sub\.yaml:8:16: duplicate FirewallPolicy id "fw" for operator op-jp \(first defined at .*sub\.yaml:3:16\)$/,
    );
  });

  it('reports an ownership cycle at the edge that closes it', () => {
    const text = `apiVersion: ixaudit/v1
kind: Owner
metadata: {id: loop-a}
spec: {type: company, country: SG, ownership: [{owner: loop-b, share: 60}]}
---
apiVersion: ixaudit/v1
kind: Owner
metadata: {id: loop-b}
spec: {type: company, country: SG, ownership: [{owner: loop-a, share: 60}]}
---
apiVersion: ixaudit/v1
kind: Carrier
metadata: {id: looped}
spec: {incorporatedIn: SG, ownership: [{owner: loop-a, share: 100}]}
---
apiVersion: ixaudit/v1
kind: InterconnectAgreement
metadata: {id: ag, operator: op-jp}
spec: {counterparty: looped, services: [ipx-transit], signed: 2025-01-01}
`;
    expect(errors(text)).toEqual([
      'sub.yaml:9:56: ownership cycle: looped → loop-a → loop-b → loop-a (a controlling chain must end at an owner with no controlling owner)',
    ]);
    const dir = tempFiles({ 'sub.yaml': text });
    const own01 = findingOf(audit([BASE, join(dir, 'sub.yaml')]).findings, 'ICX-OWN-01', 'Carrier/looped');
    expect(own01).toMatchObject({ status: 'fail', message: expect.stringContaining('ownership cycle through loop-a') });
  });

  it('lets the auditor (--registry) override a registry entry; a submission that redefines one is a conflict', () => {
    const text = `apiVersion: ixaudit/v1
kind: Carrier
metadata: {id: syniverse, name: Syniverse (as contracted locally)}
spec: {incorporatedIn: HK, ownership: []}
---
apiVersion: ixaudit/v1
kind: InterconnectAgreement
metadata: {id: ag, operator: op-jp}
spec: {counterparty: syniverse, services: [ipx-transit], signed: 2025-01-01}
`;
    const [carrier, agreement] = text.split('---\n');
    const dir = tempFiles({ 'registry/syniverse.yaml': carrier, 'sub.yaml': agreement });
    const corrected = audit([BASE, join(dir, 'sub.yaml')], { registryPaths: [join(dir, 'registry')] });
    expect(corrected.errors).toEqual([]);
    const own02 = findingOf(corrected.findings, 'ICX-OWN-02', 'InterconnectAgreement/ag');
    expect(own02).toMatchObject({ status: 'fail', evidence: { reasons: ['incorporated in HK'] } });
    expect(corrected.run.registryChanges).toMatchObject([
      { kind: 'Carrier', id: 'syniverse', change: 'replaced', replaces: expect.stringMatching(/^ixaudit:registry\//) },
    ]);

    const planted = run(text);
    expect(planted.errors).toMatchObject([
      {
        code: 'conflict',
        line: 3,
        message: expect.stringContaining('Carrier "syniverse" is defined by the bundled registry'),
      },
    ]);
    expect(findingOf(planted.findings, 'ICX-OWN-02', 'InterconnectAgreement/ag')).toMatchObject({ status: 'pass' });
  });
});

describe('one mistake, one message (issue 13)', () => {
  it('a reference to a document that failed its schema says so, instead of "unknown"', () => {
    const dir = submissionsWith((root) => {
      const firewall = join(root, 'jp-sakura', 'firewall.yaml');
      writeFileSync(firewall, readFileSync(firewall, 'utf8').replace(/mode: block/, 'mode: blok'));
    });
    const result = audit([dir], REGULATOR);
    const messages = result.errors.map((e) => e.message);
    expect(messages.some((m) => /^unknown firewall policy/.test(m))).toBe(false);
    const follow = result.errors.filter((e) =>
      e.message.includes('firewall policy of operator jp-sakura "fw-jp-main" could not be loaded'),
    );
    expect(follow.length).toBeGreaterThan(0);
    expect(follow[0].message).toMatch(
      /could not be loaded \(.*jp-sakura\/firewall\.yaml:\d+:\d+\), so this reference is not checked$/,
    );
  });

  it('an unknown carrier close to a known id gets a "did you mean"', () => {
    const result = run(`apiVersion: ixaudit/v1
kind: InterconnectAgreement
metadata: {id: ag-typo, operator: op-jp}
spec: {counterparty: syniverze, services: [ipx-transit], signed: 2025-01-01}
`);
    expect(result.errors.map(formatDiagnostic)).toEqual([
      expect.stringMatching(/sub\.yaml:4:\d+: unknown carrier "syniverze" \(did you mean "syniverse"\?\)$/),
    ]);
  });
});
