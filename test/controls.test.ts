import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../src/cli/run-audit.js';
import { audit, expectationsIn } from './support/audit.js';

const FIXTURES = 'test/controls';
const BASE = join(FIXTURES, '_base.yaml');
const catalog = compileCatalog();

describe('control catalog', () => {
  it('loads every control file without errors', () => {
    expect(catalog.diagnostics).toEqual([]);
    expect(catalog.controls.length).toBeGreaterThanOrEqual(16);
  });

  it('has a pass and a fail fixture for every control, and no fixture without a control', () => {
    const ids = catalog.controls.map((c) => c.definition.id).sort();
    const folders = readdirSync(FIXTURES, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect(folders).toEqual(ids);
    for (const id of ids) {
      expect(existsSync(join(FIXTURES, id, 'pass.yaml')), `${id}/pass.yaml`).toBe(true);
      expect(existsSync(join(FIXTURES, id, 'fail.yaml')), `${id}/fail.yaml`).toBe(true);
    }
  });
});

// Table-driven, as stylelint and markdownlint test their rules: every fixture carries its expectations
// as `# expect: <status> <subject>` comments on the exact line the finding must point at.
for (const control of catalog.controls) {
  const id = control.definition.id;
  describe(id, () => {
    for (const kind of ['pass', 'fail'] as const) {
      const file = join(FIXTURES, id, `${kind}.yaml`);
      it(`${kind} fixture gives exactly the expected findings`, () => {
        const result = audit([BASE, file]);
        expect(result.errors).toEqual([]);
        const findings = result.findings.filter((f) => f.control === id);
        const expected = expectationsIn(file);
        expect(expected.length, 'fixture declares at least one expectation').toBeGreaterThan(0);
        expect(expected.some((e) => e.status === kind), `a ${kind} fixture shows a ${kind}`).toBe(true);

        const actual = findings
          .filter((f) => f.location.file === file)
          .map((f) => ({ status: f.status, subject: f.subject, line: f.location.line }));
        // Too few or too many: every finding located in the fixture must be expected, and vice versa.
        expect(sortExpectations(actual)).toEqual(sortExpectations(expected));
        if (kind === 'pass') {
          expect(findings.filter((f) => ['fail', 'error', 'not-evidenced'].includes(f.status))).toEqual([]);
        }
        for (const f of findings) expect(f.message).not.toMatch(/\{\{|undefined/);
      });
    }
  });
}

function sortExpectations<T extends { subject: string; status: string; line: number }>(list: T[]): T[] {
  return [...list].sort((a, b) => a.line - b.line || a.subject.localeCompare(b.subject));
}
