import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findingsJson } from '../src/report/json/index.js';
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

describe('findings.json writer', () => {
  it('streams exactly the bytes JSON.stringify would give', async () => {
    const result = audit(['inputs'], REGULATOR);
    expect(findingsJson(result)).toBe(`${JSON.stringify(result, null, 2)}\n`);
    const empty = { ...result, findings: [], waivers: [] };
    expect(findingsJson(empty)).toBe(`${JSON.stringify(empty, null, 2)}\n`);
  });
});

describe('findings.json writer with waivers, baselines and shared evidence', () => {
  it('gives the same bytes as JSON.stringify for findings that share evidence, messages and texts', async () => {
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
      // Shared by identity, then a copy with the same content, then one that differs.
      evidence: i < 2 ? shared : i < 4 ? { ...shared } : { ...shared, encryption: 'ipsec' },
      message: i % 2 === 0 ? base.message : `${base.message} (${i})`,
      waiver: i === 3 ? { id: 'w-1', status: 'applied' as const, expires: '2027-01-01' } : undefined,
      baseline: i === 4 ? { state: 'new' as const } : undefined,
      excerpt: [{ line: i + 1, text: `  - id: r-${i}` }],
    }));
    const many = { ...result, findings };
    expect(findingsJson(many)).toBe(`${JSON.stringify(many, null, 2)}\n`);
  });
});
