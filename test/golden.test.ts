import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findingsJson } from '../src/report/json/index.js';
import { audit } from './support/audit.js';

const GOLDEN = 'test/golden/samples.findings.json';

// The bundled samples' findings, byte for byte. When a change is meant to alter them, regenerate
// deliberately with `npm run golden:update` and review the diff like code.
describe('golden findings for the bundled samples', () => {
  it('match test/golden/samples.findings.json', () => {
    const actual = findingsJson(audit(['inputs']));
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, actual);
    expect(actual).toBe(readFileSync(GOLDEN, 'utf8'));
  });
});
