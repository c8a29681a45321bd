import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BASELINE_STATES, type Occurrence } from '../src/model/finding.js';
import { STATUSES } from '../src/model/types.js';
import { occurrenceJson } from '../src/report/json/index.js';

// findings.json writes each occurrence by hand instead of JSON.stringify of a copy without the file
// (about 4 s of a million-route findings.json). It must write exactly what JSON.stringify wrote.

/** What findings.json wrote before: the compact copy, in the model's member order, through JSON.stringify. */
function reference(o: Occurrence, file: string): string {
  const { file: own, ...place } = o.location;
  return JSON.stringify({
    subject: o.subject,
    location: own === file ? place : o.location,
    fingerprint: o.fingerprint,
    evidence: o.evidence,
    baseline: o.baseline,
  });
}

// Text with what JSON must escape: quotes, backslashes, control characters, lone surrogates, non-ASCII.
const text = fc.string({
  unit: fc.oneof(
    fc.constantFrom('"', '\\', '\n', '\u0000', '\u2028', '\ud800', 'é', '電'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
});

const occurrence: fc.Arbitrary<{ o: Occurrence; file: string }> = fc
  .record({
    subject: text,
    file: fc.constantFrom('routes.yaml', 'other dir/ルート.yaml', 'a"b\\c.yaml'),
    sameFile: fc.boolean(),
    line: fc.nat(),
    column: fc.nat(),
    fingerprint: fc.stringMatching(/^[0-9a-f]{32}$/),
    evidence: fc.option(fc.dictionary(text, fc.jsonValue()), { nil: undefined }),
    baseline: fc.option(
      fc.record(
        { state: fc.constantFrom(...BASELINE_STATES), previousStatus: fc.constantFrom(...STATUSES) },
        { requiredKeys: ['state'] },
      ),
      { nil: undefined },
    ),
  })
  .map(({ subject, file, sameFile, line, column, fingerprint, evidence, baseline }) => {
    const o: Occurrence = { subject, location: { file, line, column }, fingerprint };
    if (evidence !== undefined) o.evidence = evidence;
    if (baseline !== undefined) o.baseline = baseline;
    return { o, file: sameFile ? file : `elsewhere/${file}` };
  });

describe('findings.json occurrences', () => {
  it('are written exactly as JSON.stringify of the compact copy', () => {
    fc.assert(
      fc.property(occurrence, ({ o, file }) => {
        const written = occurrenceJson(o, file);
        expect(written).toBe(reference(o, file));
        // And it reads back as the occurrence, the file restored from the finding's.
        const back = JSON.parse(written);
        expect({ ...back, location: { file, ...back.location } }).toEqual(JSON.parse(JSON.stringify(o)));
      }),
      { numRuns: 2000 },
    );
  });

  it('leave out the file only when it is the finding’s', () => {
    const o: Occurrence = {
      subject: 'RoutingTable/rt#r-1',
      location: { file: 'routes.yaml', line: 9, column: 5 },
      fingerprint: '0123456789abcdef0123456789abcdef',
    };
    expect(occurrenceJson(o, 'routes.yaml')).toBe(
      '{"subject":"RoutingTable/rt#r-1","location":{"line":9,"column":5},"fingerprint":"0123456789abcdef0123456789abcdef"}',
    );
    expect(occurrenceJson(o, 'operator.yaml')).toBe(
      '{"subject":"RoutingTable/rt#r-1","location":{"file":"routes.yaml","line":9,"column":5},"fingerprint":"0123456789abcdef0123456789abcdef"}',
    );
  });
});
