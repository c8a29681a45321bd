import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../src/audit/run-audit.js';
import { audit, expectationsIn } from './support/audit.js';
import { findingOf, subjectFindings } from './support/findings.js';

const FIXTURES = 'test/controls';
const BASE = join(FIXTURES, '_base.yaml');
/** The auditor's profile of every fixture run: a profile among the submissions would not be applied. */
const PROFILE = { profileFiles: [join(FIXTURES, '_profile.yaml')] };
const catalog = compileCatalog();

/**
 * `# evidence: <subject> <json>` comments: the finding on that subject must carry at least this evidence
 * (a deep partial match; lists must match element by element).
 */
function evidenceExpectationsIn(
  file: string,
): Array<{ subject: string; evidence: Record<string, unknown>; line: number }> {
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((text, i) => {
      const match = /^\s*# evidence: (\S+) (\{.*\})\s*$/.exec(text);
      if (!match) return [];
      return [{ subject: match[1], evidence: JSON.parse(match[2]) as Record<string, unknown>, line: i + 1 }];
    });
}

describe('control catalog', () => {
  it('loads every control file without errors: all 41 controls of the specification', () => {
    expect(catalog.diagnostics).toEqual([]);
    expect(catalog.controls.length).toBe(41);
  });

  it('has a pass and a fail fixture for every control, and no fixture without a control', () => {
    const ids = catalog.controls.map((c) => c.definition.id).sort();
    const folders = readdirSync(FIXTURES, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    expect(folders).toEqual(ids);
    for (const id of ids) {
      expect(existsSync(join(FIXTURES, id, 'pass.yaml')), `${id}/pass.yaml`).toBe(true);
      expect(existsSync(join(FIXTURES, id, 'fail.yaml')), `${id}/fail.yaml`).toBe(true);
    }
  });
});

// Table-driven, as stylelint and markdownlint test their rules: every fixture carries its expectations
// as `# expect: <status> <subject>` comments on the exact line the finding must point at, and
// `# evidence: <subject> {...}` comments with what the finding's evidence must contain.
for (const control of catalog.controls) {
  const id = control.definition.id;
  describe(id, () => {
    for (const kind of ['pass', 'fail'] as const) {
      const file = join(FIXTURES, id, `${kind}.yaml`);
      it(`${kind} fixture gives exactly the expected findings, with the expected evidence`, () => {
        const result = audit([BASE, file], PROFILE);
        expect(result.errors).toEqual([]);
        const causes = result.findings.filter((f) => f.control === id);
        // Each route's verdict is in its cause's occurrences: one finding per subject, as expectations name them.
        const findings = subjectFindings(causes);
        const expected = expectationsIn(file);
        expect(expected.length, 'fixture declares at least one expectation').toBeGreaterThan(0);
        expect(
          expected.some((e) => e.status === kind),
          `a ${kind} fixture shows a ${kind}`,
        ).toBe(true);

        const actual = findings
          .filter((f) => f.location.file === file)
          .map((f) => ({ status: f.status, subject: f.subject, line: f.location.line }));
        // Too few or too many: every finding located in the fixture must be expected, and vice versa.
        expect(sortExpectations(actual)).toEqual(sortExpectations(expected));
        if (kind === 'pass') {
          expect(findings.filter((f) => ['fail', 'error', 'not-evidenced'].includes(f.status))).toEqual([]);
        }
        for (const f of findings) expect(f.message).not.toMatch(/\{\{|undefined/);

        const evidence = evidenceExpectationsIn(file);
        expect(
          evidence.some((e) => expected.some((x) => x.subject === e.subject && x.status === kind)),
          `the ${kind} fixture asserts the evidence of a ${kind} finding`,
        ).toBe(true);
        for (const e of evidence) {
          const finding = findingOf(causes, id, e.subject);
          expect(finding, `${file}:${e.line}: a finding on ${e.subject}`).toBeDefined();
          expect(finding!.evidence, `${file}:${e.line}`).toMatchObject(e.evidence);
        }
      });
    }
  });
}

function sortExpectations<T extends { subject: string; status: string; line: number }>(list: T[]): T[] {
  return [...list].sort((a, b) => a.line - b.line || a.subject.localeCompare(b.subject));
}
