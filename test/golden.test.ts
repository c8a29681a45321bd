import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findingsJson, withOccurrenceFiles } from '../src/report/json/index.js';
import type { AuditResult } from '../src/model/report.js';
import { audit } from './support/audit.js';
import { REGULATOR } from './support/run.js';

const GOLDEN = 'test/golden/samples.findings.json';

// The bundled samples' findings, byte for byte. When a change is meant to alter them, regenerate
// deliberately with `npm run golden:update` and review the diff like code.
describe('golden findings for the bundled samples', () => {
  it('match test/golden/samples.findings.json', () => {
    const actual = findingsJson(audit(['inputs'], REGULATOR));
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, actual);
    expect(actual).toBe(readFileSync(GOLDEN, 'utf8'));
  });
});

describe('findings.json schema', () => {
  it('the samples and a run with input errors validate against src/model/schemas/findings.schema.json', async () => {
    const { schemaValidator } = await import('../src/load/schemas.js');
    const validate = schemaValidator('findings');
    const samples = JSON.parse(findingsJson(audit(['inputs'], REGULATOR)));
    expect(validate(samples), JSON.stringify(validate.errors)).toBe(true);
    const withErrors = JSON.parse(findingsJson(audit(['inputs', 'test/references-fixtures-missing'], REGULATOR)));
    expect(withErrors.errors.length).toBe(1);
    expect(validate(withErrors), JSON.stringify(validate.errors)).toBe(true);
    // The schema is not a rubber stamp.
    samples.findings[0].status = 'maybe';
    expect(validate(samples)).toBe(false);
  });
});

/** findings.json read back, each occurrence's location whole again (its file is left out when the finding's). */
function readBack(text: string): unknown {
  const parsed = JSON.parse(text);
  return { ...parsed, findings: withOccurrenceFiles(parsed.findings) };
}

/** The result as JSON holds it (undefined members dropped). */
const asJson = (result: AuditResult): unknown => JSON.parse(JSON.stringify(result));

describe('findings.json writer', () => {
  it("writes JSON.stringify's bytes but for the occurrences: one a line, compact, read back the same", async () => {
    const result = audit(['inputs'], REGULATOR);
    const text = findingsJson(result);
    expect(readBack(text)).toEqual(asJson(result));
    const occurrences = result.findings.reduce((n, f) => n + f.occurrences.length, 0);
    expect(text.split('\n').filter((line) => /^ {8}\{"subject":.*\}$/.test(line.replace(/,$/, '')))).toHaveLength(
      occurrences,
    );
    const empty = { ...result, findings: [], waivers: [] };
    expect(findingsJson(empty)).toBe(`${JSON.stringify(empty, null, 2)}\n`);
  });
});

describe('findings.json writer with waivers, baselines and shared evidence', () => {
  it('reads back as JSON.stringify would give findings that share evidence, messages and texts', async () => {
    const result = audit(['inputs'], REGULATOR);
    const shared = {
      encryption: 'none',
      nextHop: 'ctg',
      roles: ['ipx', 'ss7-transit'],
      note: 'quote " and \\ and ü 한빛',
    };
    const base = result.findings[0];
    const findings = Array.from({ length: 5 }, (_, i) => ({
      ...base,
      subject: `${base.subject}#r-${i}`,
      // The last occurrence in another file: its location keeps its file.
      occurrences: [
        { ...base.occurrences[0], subject: `${base.subject}#r-${i}` },
        { ...base.occurrences[0], location: { ...base.location, file: 'other.yaml' }, evidence: shared },
      ],
      // Shared by identity, then a copy with the same content, then one that differs.
      evidence: i < 2 ? shared : i < 4 ? { ...shared } : { ...shared, encryption: 'ipsec' },
      message: i % 2 === 0 ? base.message : `${base.message} (${i})`,
      waiver: i === 3 ? { id: 'w-1', status: 'applied' as const, expires: '2027-01-01' } : undefined,
      baseline: i === 4 ? { state: 'new' as const } : undefined,
      excerpt: [{ line: i + 1, text: `  - id: r-${i}` }],
    }));
    const many = { ...result, findings };
    expect(readBack(findingsJson(many))).toEqual(asJson(many));
  });
});
