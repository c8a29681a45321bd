import { cpSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flattenCauses, groupByCause } from '../src/engine/causes.js';
import { fingerprint } from '../src/engine/evaluate.js';
import { loadControls } from '../src/load/controls.js';
import { loadPreviousFindings } from '../src/load/baseline.js';
import type { PreviousFindings } from '../src/model/baseline.js';
import type { Finding } from '../src/model/finding.js';
import { STATUSES } from '../src/model/types.js';
import { findingsJson, withOccurrenceFiles } from '../src/report/json/index.js';
import { audit } from './support/audit.js';
import { causeOf, findingOf, subjectFindings } from './support/findings.js';
import { tempFiles } from './support/files.js';
import { REGULATOR } from './support/run.js';

// Issue 15: a finding is one cause, its subjects are its occurrences. Grouping may change how findings
// are listed, never what is said of any subject.

const BASE = 'test/controls/_base.yaml';
const PROFILE = { profileFiles: ['test/controls/_profile.yaml'] };

/** A routing table of op-jp (the fixtures' operator) with these route items. */
function table(routes: string): string {
  return `apiVersion: ixaudit/v1\nkind: RoutingTable\nmetadata: {id: rt, operator: op-jp}\nspec:\n  protocol: ss7\n  routes:\n${routes}`;
}

/** A route failing over to China Unicom (high-risk), to this destination. */
const failingOver = (id: string, destination: string, backup = 'cug') =>
  `    - id: ${id}\n      match: {gtPrefix: "9${id.slice(2)}"}\n      destination: ${destination}\n      primary: {carrier: clean-ipx}\n      backups: [{carrier: ${backup}}]\n      status: active\n`;

const ROUTES =
  failingOver('r-1', '{country: CN, plmn: "460-99"}') +
  failingOver('r-2', '{country: US}') +
  failingOver('r-3', '{country: DE}');

function auditTable(routes: string, options = {}) {
  const dir = tempFiles({ 'rt.yaml': table(routes) });
  return { file: join(dir, 'rt.yaml'), dir, result: audit([BASE, join(dir, 'rt.yaml')], { ...PROFILE, ...options }) };
}

describe('findings grouped by cause', () => {
  it('makes routes with the same high-risk backup one finding, an occurrence each', () => {
    const { file, result } = auditTable(ROUTES);
    expect(result.errors).toEqual([]);
    const rt02 = result.findings.filter((f) => f.control === 'ICX-RT-02');
    expect(rt02).toHaveLength(1);
    const [cause] = rt02;
    expect(cause.status).toBe('fail');
    expect(cause.occurrences.map((o) => o.subject)).toEqual([
      'RoutingTable/rt#r-1',
      'RoutingTable/rt#r-2',
      'RoutingTable/rt#r-3',
    ]);
    // The finding's own subject, location and fingerprint are its first occurrence's.
    expect(cause).toMatchObject({
      subject: cause.occurrences[0].subject,
      location: cause.occurrences[0].location,
      fingerprint: cause.occurrences[0].fingerprint,
    });
    // Fingerprints and locations stay per occurrence: each at its own backup.
    for (const o of cause.occurrences) {
      expect(o.fingerprint).toBe(fingerprint('ICX-RT-02', 'op-jp', o.subject));
      expect(o.location.file).toBe(file);
    }
    expect(new Set(cause.occurrences.map((o) => o.location.line)).size).toBe(3);
    // The message and shared evidence are stored once; the destination network's group (declared per
    // occurrence by ICX-RT-02) stays with its route: the China route's group, none for the others.
    expect(cause.message).toMatch(/^This active route fails over to high-risk carrier\(s\) backup 1 cug/);
    expect(cause.evidence).toMatchObject({ highRiskBackups: [{ carrier: 'cug' }], routeStatus: 'active' });
    expect(cause.evidence).not.toHaveProperty('destinationGroup');
    expect(cause.occurrences.map((o) => o.evidence)).toEqual([
      { destinationGroup: expect.stringMatching(/.+/) },
      { destinationGroup: '' },
      { destinationGroup: '' },
    ]);
    expect(findingOf(result.findings, 'ICX-RT-02', 'RoutingTable/rt#r-2')?.evidence).toEqual({
      ...cause.evidence,
      destinationGroup: '',
    });
    // Totals count subjects, not causes.
    expect(result.summary.operators[0].counts.fail).toBe(
      result.findings.filter((f) => f.status === 'fail').reduce((n, f) => n + f.occurrences.length, 0),
    );
  });

  it('splits the cause when the control does not declare the differing evidence per occurrence', () => {
    const controls = tempFiles({});
    cpSync('controls', controls, { recursive: true });
    const file = join(controls, 'RT', 'ICX-RT-02.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^occurrenceEvidence: .*\n/m, ''));
    const { result } = auditTable(ROUTES, { controlsDir: controls });
    const rt02 = result.findings.filter((f) => f.control === 'ICX-RT-02');
    // The China route (another destination group) is a cause of its own; r-2 and r-3 share one.
    expect(rt02.map((f) => f.occurrences.map((o) => o.subject))).toEqual([
      ['RoutingTable/rt#r-1'],
      ['RoutingTable/rt#r-2', 'RoutingTable/rt#r-3'],
    ]);
    expect(rt02[0].evidence.destinationGroup).toMatch(/.+/);
  });

  it('rejects an occurrenceEvidence key the check does not compute', () => {
    const controls = tempFiles({});
    cpSync('controls', controls, { recursive: true });
    const file = join(controls, 'RT', 'ICX-RT-02.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('occurrenceEvidence: [destinationGroup]', 'occurrenceEvidence: [nope]'),
    );
    const loaded = loadControls(controls);
    expect(loaded.controls.some((c) => c.definition.id === 'ICX-RT-02')).toBe(false);
    expect(loaded.diagnostics).toMatchObject([
      { code: 'control', message: 'ICX-RT-02: occurrenceEvidence names nope, which check.evidence does not define' },
    ]);
  });
});

/** An ungrouped finding, as the engine makes one per subject before grouping. */
function subjectFindingArb(): fc.Arbitrary<Finding> {
  const value = fc.oneof(fc.constantFrom('a', 'b', ''), fc.integer({ min: 0, max: 2 }), fc.constant(['x', 'y']));
  return fc
    .record({
      control: fc.constantFrom('C-1', 'C-2'),
      operator: fc.constantFrom('op-a', 'op-b'),
      status: fc.constantFrom(...STATUSES),
      message: fc.constantFrom('m1', 'm2'),
      waiver: fc.option(fc.constantFrom('w-1', 'w-2'), { nil: undefined }),
      // Shared keys s1, s2 and the per-occurrence keys (C-1: o1, o2) in any order, some absent.
      evidence: fc.dictionary(fc.constantFrom('s1', 's2', 'o1', 'o2'), value, { maxKeys: 4 }),
      line: fc.integer({ min: 1, max: 50 }),
      file: fc.constantFrom('a.yaml', 'b.yaml'),
    })
    .map((r) => {
      // Each generated finding gets a subject of its own below; the placeholder is replaced.
      const location = { file: r.file, line: r.line, column: 3 };
      return {
        control: r.control,
        title: r.control,
        family: 'RT',
        severity: 'high',
        status: r.status,
        operator: r.operator,
        subject: '',
        location,
        message: r.message,
        evidence: r.evidence,
        remediation: 'fix it',
        ...(r.waiver ? { waiver: { id: r.waiver, status: 'applied' as const, expires: '2027-01-01' } } : {}),
        fingerprint: '',
        occurrences: [],
      };
    });
}

const OCCURRENCE_KEYS = (control: string) => (control === 'C-1' ? ['o1', 'o2'] : []);

/** Distinct subjects (as the engine's subjects are), each its own occurrence. */
const ungrouped = fc.array(subjectFindingArb(), { maxLength: 40 }).map((list) =>
  list.map((f, i): Finding => {
    const subject = `RoutingTable/t#r-${i}`;
    const print = fingerprint(f.control, f.operator, subject);
    return { ...f, subject, fingerprint: print, occurrences: [{ subject, location: f.location, fingerprint: print }] };
  }),
);

/** What is said of each subject: the fields grouping must keep, by subject. */
const said = (findings: Finding[]) =>
  new Map(
    findings.map((f) => [
      `${f.control} ${f.operator} ${f.subject}`,
      {
        subject: f.subject,
        location: f.location,
        status: f.status,
        fingerprint: f.fingerprint,
        evidence: f.evidence,
        message: f.message,
        waiver: f.waiver,
      },
    ]),
  );

describe('grouping, property-based', () => {
  it('then flattening gives back exactly the ungrouped per-subject findings', () => {
    fc.assert(
      fc.property(ungrouped, (findings) => {
        const causes = groupByCause(findings, OCCURRENCE_KEYS);
        const flat = flattenCauses(causes);
        expect(said(flat)).toEqual(said(findings));
        expect(flat).toHaveLength(findings.length);
        // Each cause is its first occurrence on the outside, and only C-1 keeps evidence per occurrence.
        for (const c of causes) {
          expect([c.subject, c.location, c.fingerprint]).toEqual([
            c.occurrences[0].subject,
            c.occurrences[0].location,
            c.occurrences[0].fingerprint,
          ]);
          for (const o of c.occurrences)
            for (const key of Object.keys(o.evidence ?? {})) expect(OCCURRENCE_KEYS(c.control)).toContain(key);
        }
        // Causes in the order of their first occurrence, occurrences in the order met.
        const order = new Map(findings.map((f, i) => [f.subject, i]));
        const firsts = causes.map((c) => order.get(c.subject)!);
        expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
        for (const c of causes) {
          const seen = c.occurrences.map((o) => order.get(o.subject)!);
          expect(seen).toEqual([...seen].sort((a, b) => a - b));
        }
        // Grouping again changes nothing, and the input is left as it was.
        expect(groupByCause(causes, OCCURRENCE_KEYS)).toEqual(causes);
        expect(findings.every((f) => f.occurrences.length === 1 && f.occurrences[0].evidence === undefined)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('--baseline per occurrence', () => {
  /** The previous run's findings as --baseline reads them, from the findings.json it wrote. */
  function previousOf(result: ReturnType<typeof audit>, text = findingsJson(result)): PreviousFindings {
    const loaded = loadPreviousFindings(tempFiles({ 'findings.json': text }));
    if ('message' in loaded) throw new Error(loaded.message);
    return loaded;
  }

  it('resolves the occurrence that was fixed and leaves the other unchanged', () => {
    const two = failingOver('r-1', '{country: US}') + failingOver('r-2', '{country: DE}');
    const before = auditTable(two).result;
    expect(causeOf(before.findings, 'ICX-RT-02', 'RoutingTable/rt#r-1')!.occurrences).toHaveLength(2);
    // r-2 now fails over to a clean carrier; a new route r-3 fails over to China Unicom too.
    const after = auditTable(
      failingOver('r-1', '{country: US}') +
        failingOver('r-2', '{country: DE}', 'clean-de') +
        failingOver('r-3', '{country: FR}'),
      { baseline: { source: 'before', previous: previousOf(before) } },
    ).result;
    const cause = causeOf(after.findings, 'ICX-RT-02', 'RoutingTable/rt#r-1')!;
    expect(cause.occurrences.map((o) => [o.subject, o.baseline])).toEqual([
      ['RoutingTable/rt#r-1', { state: 'unchanged', previousStatus: 'fail' }],
      ['RoutingTable/rt#r-3', { state: 'new' }],
    ]);
    // The finding's baseline: its first occurrence's state, how many occurrences are in each, and how many
    // of the previous cause's it lost (r-2).
    expect(cause.baseline).toEqual({
      state: 'unchanged',
      previousStatus: 'fail',
      counts: { unchanged: 1, new: 1 },
      lost: 1,
    });
    expect(findingOf(after.findings, 'ICX-RT-02', 'RoutingTable/rt#r-2')).toMatchObject({
      status: 'pass',
      baseline: { state: 'resolved', previousStatus: 'fail' },
    });
    // Counted per subject: every occurrence once.
    const counts = after.baseline!.counts;
    const occurrences = subjectFindings(after.findings).length;
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(occurrences + after.baseline!.removed.length);
    expect(after.baseline!.removed).toEqual([]);
  });

  it('reads a findings.json of schema 2.0 (one subject per finding) as the same baseline', () => {
    const before = audit(['inputs'], REGULATOR);
    const current = JSON.parse(findingsJson(before));
    // What ixaudit 2.0 wrote: every subject a finding of its own, no occurrences.
    const old = {
      ...current,
      schemaVersion: '2.0',
      findings: subjectFindings(withOccurrenceFiles(current.findings)).map(({ occurrences: _one, ...f }) => f),
    };
    expect(old.findings.length).toBeGreaterThan(current.findings.length);
    const fromOld = previousOf(before, JSON.stringify(old, null, 2));
    const fromNew = previousOf(before);
    const bySubject = (p: PreviousFindings) => [...p.findings].sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : 1));
    // The same but for `cause`, which only a 3.0 file gives (before it findings were not grouped).
    expect(fromOld.findings.every((f) => f.cause === undefined)).toBe(true);
    expect(fromNew.findings.every((f) => typeof f.cause === 'string')).toBe(true);
    expect(bySubject(fromOld)).toEqual(
      bySubject({ ...fromNew, findings: fromNew.findings.map(({ cause: _, ...f }) => f) }),
    );
    expect(fromNew.findings).toHaveLength(old.findings.length);
    // The same run against it: every subject unchanged, nothing removed.
    const again = audit(['inputs'], { ...REGULATOR, baseline: { source: 'old', previous: fromOld } });
    expect(again.baseline!.counts).toMatchObject({ new: 0, regressed: 0, improved: 0, changed: 0, resolved: 0 });
    expect(again.baseline!.counts.unchanged).toBe(old.findings.length);
    expect(again.baseline!.removed).toEqual([]);
  });
});

describe('findings.json at scale', () => {
  it('grows by at most 150 bytes an occurrence: message and evidence are not repeated', () => {
    /** findings.json of a table of n failing routes of one shape (passing findings counted, as for large tables). */
    const size = (n: number) => {
      const routes = Array.from(
        { length: n },
        (_, i) =>
          `    - id: r-${String(i).padStart(7, '0')}\n      match: {gtPrefix: "8${i}"}\n      destination: {country: HK}\n      primary: {carrier: risky-hub}\n      encryption: none\n      status: active\n`,
      ).join('');
      const dir = tempFiles({ 'routes.yaml': table(routes) });
      const result = audit([BASE, join(dir, 'routes.yaml')], { ...PROFILE, listRouteFindingsUpTo: 0 });
      const out = join(dir, 'findings.json');
      writeFileSync(out, findingsJson(result));
      return { bytes: statSync(out).size, occurrences: result.findings.reduce((s, f) => s + f.occurrences.length, 0) };
    };
    const small = size(100);
    const large = size(600);
    const perOccurrence = (large.bytes - small.bytes) / (large.occurrences - small.occurrences);
    expect(large.occurrences).toBeGreaterThan(small.occurrences);
    expect(perOccurrence).toBeLessThanOrEqual(150);
  });
});

describe('fingerprints', () => {
  // --baseline matches occurrences by fingerprint, so the text may never change: findings.json files of
  // earlier runs name theirs this way.
  it('are the first 32 hex digits of SHA-256 over control, operator and subject, for any text', () => {
    expect(fingerprint('ICX-ENC-01', 'op-bench', 'RoutingTable/rt#r5')).toBe('bd443b708615aa3fffd0c27e64db62ef');
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string({ unit: 'binary' }), (control, operator, subject) => {
        const expected = createHash('sha256').update(`${control}\u0000${operator}\u0000${subject}`).digest('hex');
        expect(fingerprint(control, operator, subject)).toBe(expected.slice(0, 32));
      }),
      { numRuns: 500 },
    );
  });
});
