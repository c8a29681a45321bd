import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { controlsDocText } from '../src/cli/controls-command.js';
import { CONTROLS_DOC_PATH, controlAnchor, loadCatalogMeta } from '../src/cli/controls-docs.js';
import { compileCatalog, loadBuiltins } from '../src/audit/run-audit.js';
import { controlMeaning } from '../src/model/control.js';
import type { LoadedDocument } from '../src/model/types.js';
import { packageRoot } from '../src/paths.js';
import { subjectFindings } from './support/findings.js';
import { audit } from './support/audit.js';
import { REGULATOR } from './support/run.js';

// Tests about the catalog as a whole, as stylelint and typescript-eslint test their rule sets: every
// control is the one the specification states, cites only its documents, reads only parameters a profile
// can set, is documented in the generated docs/controls.md, and records what it means in catalog.yaml.

const catalog = compileCatalog();
const controls = catalog.controls.map((c) => c.definition);
const meta = loadCatalogMeta();
// The specification's control catalog, vendored verbatim so that a plain clone tests against it
// (test/fixtures/README.md says where it comes from; vendored.test.ts checks the copy's SHA-256).
const SPEC = join(packageRoot, 'test', 'fixtures', 'spec-controls.md');
const spec = readFileSync(SPEC, 'utf8');

/** The specification's table rows: id → requirement text and severity. */
function specTable(): Map<string, { requirement: string; severity: string }> {
  const rows = new Map<string, { requirement: string; severity: string }>();
  for (const match of spec.matchAll(/^\| (ICX-[A-Z]+-\d+) \| (.*) \| (\w+) \|$/gm))
    rows.set(match[1], { requirement: match[2], severity: match[3] });
  return rows;
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

describe('the catalog is the specification', () => {
  it('has exactly the controls of the specification, each worded and graded as its table states it', () => {
    const table = specTable();
    expect(table.size).toBe(41);
    expect(controls.map((c) => c.id).sort()).toEqual([...table.keys()].sort());
    for (const c of controls) {
      expect(oneLine(c.requirement), c.id).toBe(table.get(c.id)!.requirement);
      expect(c.severity, c.id).toBe(table.get(c.id)!.severity);
    }
  });

  it("catalog.yaml lists the documents of the specification's reference list, spelled as it spells them", () => {
    const listed = oneLine(spec.slice(spec.indexOf('References below'), spec.indexOf('## OWN')));
    // The specification writes "GSMA FS.07 …; FS.19 …": later GSMA documents share the first one's prefix.
    for (const ref of meta.references)
      expect(listed.includes(ref.document) || listed.includes(ref.document.replace(/^GSMA /, '')), ref.document).toBe(
        true,
      );
    expect(meta.references).toHaveLength(12);
    const nist = meta.references.find((r) => r.document === 'NIST SP 800-53 Rev. 5')!;
    expect(listed).toContain(`NIST SP 800-53 Rev. 5 (${nist.sections!.join(', ')})`);
  });

  it('every control cites only those documents, and NIST only by the control ids the specification lists', () => {
    const allowed = new Map(meta.references.map((r) => [r.document, new Set(r.sections ?? [])]));
    for (const c of controls) {
      for (const ref of c.references) {
        expect(allowed.has(ref.document), `${c.id} cites "${ref.document}"`).toBe(true);
        if (ref.section !== undefined)
          expect(
            allowed.get(ref.document)!.has(ref.section),
            `${c.id} cites ${ref.document} section ${ref.section}`,
          ).toBe(true);
      }
    }
  });
});

describe('parameters', () => {
  const defaults = loadBuiltins().documents.find(
    (d): d is LoadedDocument<'AuditProfile'> => d.kind === 'AuditProfile' && d.id === 'default',
  )!.value.spec.parameters as Record<string, unknown>;

  it('every parameter a control reads is declared by it, and the default profile or the control gives it a value', () => {
    for (const c of controls) {
      const declared = Object.keys(c.parameters ?? {});
      const text = JSON.stringify([c.check, c.messages]);
      const read = [...new Set([...text.matchAll(/params\.(\w+)/g)].map((m) => m[1]))];
      for (const name of read) expect(declared, `${c.id} reads params.${name}`).toContain(name);
      for (const name of declared) {
        const own = c.parameters![name].default;
        expect(
          own !== undefined || name in defaults,
          `${c.id}: ${name} has no value in the default profile nor a default of its own`,
        ).toBe(true);
        // One value for one name: a control's default never contradicts the shipped baseline.
        if (own !== undefined && name in defaults) expect(own, `${c.id}: ${name}`).toEqual(defaults[name]);
      }
    }
  });

  it('every parameter of the default profile is read by a control (or by the run itself)', () => {
    const declared = new Set(controls.flatMap((c) => Object.keys(c.parameters ?? {})));
    for (const name of Object.keys(defaults)) {
      if (name === 'notEvidencedIsFailure') continue;
      expect(declared.has(name), `default profile parameter ${name}`).toBe(true);
    }
  });
});

describe('docs/controls.md', () => {
  it('is generated from the control files and is current (run `ixaudit controls docs` after changing a control)', () => {
    const { text, diagnostics } = controlsDocText();
    expect(diagnostics).toEqual([]);
    expect(existsSync(CONTROLS_DOC_PATH)).toBe(true);
    expect(readFileSync(CONTROLS_DOC_PATH, 'utf8')).toBe(text);
  });

  it('has one section per control with its requirement, rationale, check, parameters, references and remediation', () => {
    const doc = readFileSync(CONTROLS_DOC_PATH, 'utf8');
    for (const c of controls) {
      const start = doc.indexOf(`### ${c.id} — ${c.title}`);
      expect(start, c.id).toBeGreaterThan(0);
      const next = doc.indexOf('\n### ', start + 1);
      const section = doc.slice(start, next < 0 ? undefined : next);
      expect(section).toContain(`**Requirement.** ${oneLine(c.requirement)}`);
      expect(section).toContain(`**Rationale.** ${oneLine(c.rationale)}`);
      expect(section).toContain(`**Check.**\n\n${oneLine(c.check.description)}`);
      expect(section).toContain(`pass:      ${oneLine(c.check.pass)}`);
      expect(section).toContain(`**Remediation.** ${oneLine(c.remediation)}`);
      for (const r of c.references) expect(section).toContain(`- ${r.document}${r.section ? `, ${r.section}` : ''}`);
      for (const p of Object.keys(c.parameters ?? {})) expect(section).toContain(`| \`${p}\` |`);
      expect(doc).toContain(`](#${controlAnchor(c)})`);
    }
  });
});

describe('catalog version', () => {
  it('records what each control means; a changed meaning needs a new version and fingerprint', () => {
    const computed = Object.fromEntries(controls.map((c) => [c.id, controlMeaning(c)]));
    const recorded = Object.fromEntries(Object.entries(meta.meanings).map(([id, m]) => [id, m.meaning]));
    // When this fails: bump `version` in controls/catalog.yaml (major for a changed meaning, minor for a
    // new control) and record the new fingerprint with `since` set to that version.
    expect(recorded).toEqual(computed);
  });

  it('is semver, and is the version of the latest recorded meaning', () => {
    expect(meta.version).toMatch(/^\d+\.\d+\.\d+$/);
    const parse = (v: string) => v.split('.').map(Number);
    const compare = (a: string, b: string) => parse(a).reduce((d, x, i) => d || x - parse(b)[i], 0);
    const sinces = Object.values(meta.meanings).map((m) => m.since);
    for (const since of sinces) expect(compare(since, meta.version)).toBeLessThanOrEqual(0);
    const latest = [...sinces].sort(compare).at(-1)!;
    // Only a patch (wording) may come after the last change of meaning.
    expect(parse(latest).slice(0, 2)).toEqual(parse(meta.version).slice(0, 2));
  });

  it('is recorded in every findings.json, with the number of controls in force', () => {
    const result = audit(['inputs'], REGULATOR);
    expect(result.run.catalog).toEqual({ version: meta.version, controls: 41 });
  });
});

describe('the bundled samples', () => {
  const result = audit(['inputs'], REGULATOR);

  it('make every control both pass and fail somewhere, with no evaluation errors', () => {
    expect(result.errors).toEqual([]);
    expect(result.findings.filter((f) => f.status === 'error')).toEqual([]);
    for (const c of controls) {
      const statuses = new Set(result.findings.filter((f) => f.control === c.id).map((f) => f.status));
      expect(statuses.has('pass'), `${c.id} passes somewhere in inputs/`).toBe(true);
      expect(statuses.has('fail') || statuses.has('waived'), `${c.id} fails somewhere in inputs/`).toBe(true);
    }
  });

  it('keep the clean reference operator clean under every control', () => {
    const dirty = subjectFindings(result.findings).filter(
      (f) => f.operator === 'no-nordlys' && !['pass', 'not-applicable'].includes(f.status),
    );
    expect(dirty.map((f) => `${f.control} ${f.subject} ${f.status}`)).toEqual([]);
  });
});
