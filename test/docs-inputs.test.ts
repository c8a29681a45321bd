import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findingOf, subjectFindings } from './support/findings.js';
import { audit } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { DEFAULT_YAML_LIMITS } from '../src/load/limits.js';

// docs/inputs.md must suffice to write a submission: its complete example is audited here, as a user
// who copied it would run it, and must load without a single error.
const DOC = readFileSync('docs/inputs.md', 'utf8');

function example(name: string): string {
  const match = new RegExp(
    `<!-- ${name} example: start -->\\n\`\`\`(?:yaml)?\\n([\\s\\S]*?)\`\`\`\\n<!-- ${name} example: end -->`,
  ).exec(DOC);
  if (!match) throw new Error(`docs/inputs.md has no "${name} example" block`);
  return match[1];
}

describe('docs/inputs.md', () => {
  it('its complete submission validates and audits with no input error', () => {
    const dir = tempFiles({ 'my-submission.yaml': example('submission') });
    const result = audit([join(dir, 'my-submission.yaml')], { date: '2026-07-01' });
    expect(result.errors).toEqual([]);
    expect(result.summary.operators.map((o) => o.id)).toEqual(['jp-example']);
    // The Hong Kong hub in transit is high-risk under the default profile: the example shows a finding.
    expect(findingOf(result.findings, 'ICX-RT-03', 'RoutingTable/rt-example-ss7#r-hongkong')).toMatchObject({
      status: 'fail',
    });
    // Its transit chain starts at the next hop, as ICX-RT-07 asks (the example used to fail it, listing
    // only the hub behind the next hop), and the hub is then the route's second transit carrier.
    expect(findingOf(result.findings, 'ICX-RT-07', 'RoutingTable/rt-example-ss7#r-hongkong')).toMatchObject({
      status: 'pass',
    });
    expect(findingOf(result.findings, 'ICX-RT-03', 'RoutingTable/rt-example-ss7#r-hongkong')?.evidence).toMatchObject({
      highRiskTransit: [expect.objectContaining({ carrier: 'example-hk-hub', position: 'transit 2' })],
    });
    // Carriers only the submission knows are shown as declared by it.
    expect(
      subjectFindings(result.findings).find((f) => f.subject === 'Carrier/example-hk-hub')?.evidence,
    ).toMatchObject({
      declaredBy: 'declared by jp-example, not in the registry',
    });
  });

  it('its audit profile, copied as it is, is the profile the run uses', () => {
    const dir = tempFiles({ 'my-submission.yaml': example('submission'), 'profile.yaml': example('profile') });
    const result = audit([join(dir, 'my-submission.yaml')], { profileFiles: [join(dir, 'profile.yaml')] });
    expect(result.errors).toEqual([]);
    expect(result.run.profile).toMatchObject({ id: 'regulator-2026', failOn: 'high', disabled: ['ICX-RT-06'] });
    expect(result.run.profile.parameters).toMatchObject({ maxCarrierShare: 50 });
    expect(result.run.auditDate).toBe('2026-07-01');
    expect(result.run.auditDateSource).toBe('profile');
  });

  it('its CSV table says the same as the YAML one', () => {
    const yaml = example('submission');
    const withoutTable = yaml
      .split(/^---\n/m)
      .filter((d) => !/^kind: RoutingTable$/m.test(d))
      .join('---\n');
    const fromYaml = audit([join(tempFiles({ 'a.yaml': yaml }), 'a.yaml')], { date: '2026-07-01' });
    const dir = tempFiles({ 'a.yaml': withoutTable, 'rt-example-ss7.csv': example('csv') });
    const fromCsv = audit([dir], { date: '2026-07-01' });
    expect(fromCsv.errors).toEqual([]);
    const statuses = (r: typeof fromYaml) =>
      subjectFindings(r.findings)
        .map((f) => `${f.control} ${f.subject} ${f.status}`)
        .sort();
    expect(statuses(fromCsv)).toEqual(statuses(fromYaml));
  });

  it('its Limits section names every limit --limit accepts', () => {
    // It named three of the six.
    const limits = DOC.slice(DOC.indexOf('\n## Limits\n'), DOC.indexOf('\n## ', DOC.indexOf('\n## Limits\n') + 1));
    for (const name of Object.keys(DEFAULT_YAML_LIMITS)) expect(limits).toContain(`\`${name}\``);
  });
});
