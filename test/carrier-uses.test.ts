import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditReport } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { findingOf, subjectFindings } from './support/findings.js';
import { REGULATOR } from './support/run.js';

// A newcomer's report: ICX-OWN-03 critical on Carrier/cmi was located at ixaudit:registry/carriers.yaml,
// a file the operator cannot change, and nothing in the finding named the line of the submission that
// uses cmi. The location stays the carrier's entry (where the subject is written, as the spec says);
// the evidence now also says where the operator first names it.
describe("a registry carrier's findings say where the submission uses it", () => {
  const result = auditReport(['inputs'], REGULATOR).result;
  const own = (operator: string) => subjectFindings(result.findings).filter((f) => f.operator === operator);

  it('usedAt is the first place the operator names the carrier: an agreement, else a route', () => {
    const cmi = findingOf(own('jp-sakura'), 'ICX-OWN-03', 'Carrier/cmi');
    expect(cmi).toMatchObject({ status: 'fail', location: { file: 'ixaudit:registry/carriers.yaml' } });
    expect(cmi?.evidence.usedAt).toBe('inputs/jp-sakura/agreements.yaml:13:17');
    expect(readFileSync('inputs/jp-sakura/agreements.yaml', 'utf8').split('\n')[12].slice(16)).toBe('cmi');
    // ctg has no agreement with jp-sakura: its first use is a backup in the SS7 table.
    const ctg = findingOf(own('jp-sakura'), 'ICX-OWN-03', 'Carrier/ctg');
    expect(ctg?.evidence.usedAt).toBe('inputs/jp-sakura/routing-ss7.yaml:45:27');
    expect(readFileSync('inputs/jp-sakura/routing-ss7.yaml', 'utf8').split('\n')[44].slice(26)).toMatch(/^ctg\}/);
  });

  it('each operator has its own usedAt; a carrier its submission declares has none', () => {
    const uses = new Set(
      subjectFindings(result.findings)
        .filter((f) => f.subject === 'Carrier/cmi')
        .map((f) => `${f.operator} ${String(f.evidence.usedAt).split(':')[0]}`),
    );
    for (const use of uses) expect(use).toMatch(/^(\S+) inputs\/\1\//);
    // test/controls/_base.yaml declares its carriers itself: their findings are located in it already.
    const base = auditReport(['test/controls/_base.yaml', 'test/controls/ICX-OWN-03/fail.yaml']).result;
    const declared = subjectFindings(base.findings).filter(
      (f) => f.subject.startsWith('Carrier/') && f.evidence.declaredBy !== undefined,
    );
    expect(declared.length).toBeGreaterThan(0);
    for (const f of declared) expect(f.evidence.usedAt, `${f.control} ${f.subject}`).toBeUndefined();
  });

  it('a line moved in the submission does not make the finding "changed" since the last audit', () => {
    const work = tempFiles({});
    cpSync('inputs', join(work, 'inputs'), { recursive: true });
    const before = auditReport([join(work, 'inputs')]).result;
    const file = join(work, 'inputs/jp-sakura/agreements.yaml');
    writeFileSync(file, `# a comment that moves every line down\n${readFileSync(file, 'utf8')}`);
    const after = auditReport([join(work, 'inputs')], {
      baseline: { source: 'before', previous: { auditDate: before.run.auditDate, findings: before.findings } },
    }).result;
    const cmi = findingOf(
      after.findings.filter((f) => f.operator === 'jp-sakura'),
      'ICX-OWN-03',
      'Carrier/cmi',
    );
    expect(cmi?.evidence.usedAt).toBe(`${join(work, 'inputs/jp-sakura/agreements.yaml')}:14:17`);
    expect(cmi?.baseline?.state).toBe('unchanged');
  });
});
