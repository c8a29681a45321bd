import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { loadBytes } from '../src/load/index.js';
import { STATUSES } from '../src/model/types.js';
import { audit } from './support/audit.js';
import { tempFiles } from './support/files.js';

const SAMPLE_FILES = [
  'inputs/jp-sakura/routing-ss7.yaml',
  'inputs/jp-sakura/agreements.yaml',
  'inputs/jp-sakura/firewall.yaml',
  'inputs/kr-hanbit/routing-diameter.yaml',
  'regulator/registry/parties.yaml',
];
const samples = SAMPLE_FILES.map((f) => readFileSync(f));

/** Byte-level damage a file can suffer in transit or by hand. */
const byteMutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.string(),
      fc.constantFrom(
        '\ufeff',
        '\r\n',
        ': ',
        '- ',
        '{',
        ']',
        '&a',
        '*a',
        '!!js/function',
        '\t',
        '\u0000',
        '𝔘',
        'é',
        '\u202e',
        '"',
      ),
    ),
  }),
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('crlf' as const) }),
);

type ByteMutation = typeof byteMutation extends fc.Arbitrary<infer T> ? T : never;

function applyBytes(bytes: Buffer, m: ByteMutation): Buffer {
  const at = bytes.length === 0 || !('at' in m) ? 0 : m.at % bytes.length;
  switch (m.kind) {
    case 'truncate':
      return bytes.subarray(0, at);
    case 'delete':
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
    case 'insert':
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(m.text, 'utf8'), bytes.subarray(at)]);
    case 'byte': {
      const copy = Buffer.from(bytes);
      if (copy.length > 0) copy[at] = m.value;
      return copy;
    }
    default:
      return Buffer.from(bytes.toString('utf8').replace(/\n/g, '\r\n'), 'utf8');
  }
}

describe('loader on mutated bytes (fast-check)', () => {
  it('never throws: every outcome is documents and/or located diagnostics', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: samples.length - 1 }),
        fc.array(byteMutation, { minLength: 1, maxLength: 4 }),
        (index, mutations) => {
          const bytes = mutations.reduce(applyBytes, samples[index]);
          const result = loadBytes('mutated.yaml', bytes);
          for (const d of result.diagnostics) {
            expect(d.file).toBe('mutated.yaml');
            expect(d.line).toBeGreaterThanOrEqual(1);
            expect(d.column).toBeGreaterThanOrEqual(1);
            expect(d.message.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 400, seed: 20261130 },
    );
  });
});

/** Structural damage: what a careless or hostile submitter can do to well-formed YAML. */
const HOSTILE_VALUES = [
  null,
  '',
  0,
  -1,
  1e308,
  Number.MAX_SAFE_INTEGER + 2,
  'ｃｍｉ',
  '__proto__',
  [],
  {},
  ['x'],
  true,
  'cmi',
  'r-0001',
  '2026-02-30',
  '\u0000',
];

function mutateTree(value: unknown, path: number[], replacement: unknown, remove: boolean): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return remove ? undefined : replacement;
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value);
  if (entries.length === 0) return replacement;
  const [key, child] = entries[path[0] % entries.length];
  const mutated = mutateTree(child, path.slice(1), replacement, remove);
  if (Array.isArray(value)) {
    const copy = [...value];
    if (mutated === undefined) copy.splice(Number(key), 1);
    else copy[Number(key)] = mutated;
    return copy;
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  if (mutated === undefined) delete copy[key];
  else copy[key] = mutated;
  return copy;
}

describe('whole audit on mutated documents (fast-check)', () => {
  it('always ends in findings and/or located errors, never a crash', () => {
    const docs = SAMPLE_FILES.map((f) => readFileSync(f, 'utf8'));
    const trees = docs.map((text) => parseAllDocuments(text).map((d) => d.toJS()));
    const dir = tempFiles({});
    let runsWithErrors = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: trees.length - 1 }),
        fc.array(fc.nat({ max: 50 }), { minLength: 1, maxLength: 7 }),
        fc.constantFrom(...HOSTILE_VALUES),
        fc.boolean(),
        (fileIndex, path, replacement, remove) => {
          const tree = trees[fileIndex];
          const docIndex = path[0] % tree.length;
          const mutatedDoc = mutateTree(tree[docIndex], path.slice(1), replacement, remove);
          const mutated = tree.map((d, i) => (i === docIndex ? mutatedDoc : d));
          writeFileSync(join(dir, 'mutated.yaml'), mutated.map((d) => stringify(d ?? null)).join('---\n'));
          const others = ['inputs/jp-sakura/operator.yaml', 'inputs/kr-hanbit/operator.yaml'].filter(
            (f) => f !== SAMPLE_FILES[fileIndex],
          );
          // The regulator's registry file, when it is the one mutated, is still the auditor's input.
          const registry =
            SAMPLE_FILES[fileIndex] === 'regulator/registry/parties.yaml'
              ? join(dir, 'mutated.yaml')
              : 'regulator/registry/parties.yaml';
          const submissions =
            registry === 'regulator/registry/parties.yaml' ? [...others, join(dir, 'mutated.yaml')] : others;
          const result = audit(submissions, { profileFiles: ['regulator/profile.yaml'], registryPaths: [registry] });
          for (const e of result.errors) expect(e.message.length).toBeGreaterThan(0);
          if (result.errors.length > 0) runsWithErrors++;
          for (const f of result.findings) {
            expect(STATUSES).toContain(f.status);
            expect(f.location.line).toBeGreaterThanOrEqual(1);
            expect(f.control).not.toBe('ICX-ENGINE'); // no internal error reached the engine's safety net
          }
          expect(result.summary.operators.length).toBeGreaterThanOrEqual(2);
        },
      ),
      // Each run is a whole audit: 48 keep the suite within its time (the loader property above runs 400).
      { numRuns: 48, seed: 20261130 },
    );
    // The mutations must actually hurt: a good share of runs end in located input errors.
    expect(runsWithErrors).toBeGreaterThan(16);
  });
});
