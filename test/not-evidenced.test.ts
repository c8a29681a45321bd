import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/model/finding.js';
import { subjectFindings } from './support/findings.js';
import { audit } from './support/audit.js';
import { tempFiles } from './support/files.js';

// "Not evidenced only when the missing fields could change the result" (issue 12, point 14): a clause
// whose present fields already decide a failure fails, with a message naming the deciding field; only
// when the outcome depends on a field the submission leaves out is the finding not-evidenced.

const OPERATOR = `apiVersion: ixaudit/v1
kind: Operator
metadata: {id: op-ne, name: Not-evidenced test operator}
spec:
  country: JP
  plmns: ["440-98"]
  networks: [gsm, umts, lte, nr-sa]
---
apiVersion: ixaudit/v1
kind: Carrier
metadata: {id: ne-ipx, name: Not-evidenced test IPX}
spec:
  roles: [ipx, ss7-transit]
  incorporatedIn: JP
  ownership: []
`;

/** Audits op-ne with one agreement whose `clauses:` block is the given YAML (indented by the caller). */
function auditAgreement(clauses: string) {
  const agreement = `---
apiVersion: ixaudit/v1
kind: InterconnectAgreement
metadata: {id: ag-ne, operator: op-ne}
spec:
  counterparty: ne-ipx
  services: [ipx-transit, ss7-transit]
  signed: 2025-01-01
  clauses:
${clauses}
`;
  const dir = tempFiles({ 'submission.yaml': OPERATOR + agreement });
  return Object.assign(audit([join(dir, 'submission.yaml')]), {
    file: join(dir, 'submission.yaml'),
    text: OPERATOR + agreement,
  });
}

/** Audits op-ne with one firewall policy whose spec is the given YAML (indented by the caller). */
function auditFirewall(spec: string) {
  const policy = `---
apiVersion: ixaudit/v1
kind: FirewallPolicy
metadata: {id: fw-ne, operator: op-ne}
spec:
${spec}
`;
  const dir = tempFiles({ 'submission.yaml': OPERATOR + policy });
  return audit([join(dir, 'submission.yaml')]);
}

function findingOf(result: ReturnType<typeof audit>, control: string, subject: string): Finding {
  const found = subjectFindings(result.findings).filter((f) => f.control === control && f.subject === subject);
  expect(found, `one ${control} finding on ${subject}`).toHaveLength(1);
  return found[0];
}

describe('issue 12: ICX-CT-03 with subcontracting allowed, no prior approval and no flow-down stated', () => {
  it('fails on priorApproval: false instead of reporting not-evidenced for the absent flowDown', () => {
    const result = auditAgreement('    subcontracting: {allowed: true, priorApproval: false}');
    const f = findingOf(result, 'ICX-CT-03', 'InterconnectAgreement/ag-ne');
    expect(f.status).toBe('fail');
    expect(f.message).toMatch(/priorApproval/);
    expect(f.message).toMatch(/prior approval/);
    expect(f.evidence).toMatchObject({ allowed: true, priorApproval: false, flowDown: null });
    // It points at the clause that decides it.
    const line = result.text.split('\n').findIndex((l) => l.includes('priorApproval: false')) + 1;
    expect(f.location).toMatchObject({ file: result.file, line });
  });
});

// Each row: a clause (or policy) whose present fields decide (fail naming the field, or pass), or whose
// outcome depends on what it leaves out (not-evidenced).
const AGREEMENT_CASES: Array<[control: string, clauses: string, status: string, message?: RegExp]> = [
  [
    'ICX-CT-01',
    '    dataAccess: {permittedPurposes: [routing, resale]}',
    'fail',
    /used for resale \(permittedPurposes\)/,
  ],
  ['ICX-CT-01', '    dataAccess: {permittedPurposes: [routing, billing]}', 'not-evidenced'],
  ['ICX-CT-02', '    governmentRequests: {notifyWithinHours: 168}', 'fail', /168 hours.*notifyWithinHours/],
  ['ICX-CT-02', '    governmentRequests: {notifyWithinHours: 24}', 'not-evidenced'],
  ['ICX-CT-02', '    governmentRequests: {notifyOperator: false}', 'fail', /notifyOperator is false/],
  ['ICX-CT-03', '    subcontracting: {allowed: true, flowDown: false}', 'fail', /flowDown: false/],
  ['ICX-CT-03', '    subcontracting: {allowed: true, priorApproval: true}', 'not-evidenced'],
  ['ICX-CT-03', '    subcontracting: {priorApproval: false, flowDown: false}', 'not-evidenced'],
  ['ICX-CT-03', '    subcontracting: {allowed: false}', 'pass'],
  ['ICX-CT-03', '    subcontracting: {allowed: true, priorApproval: true, flowDown: true}', 'pass'],
  ['ICX-CT-04', '    auditRights: {frequencyMonths: 24}', 'fail', /24 months \(frequencyMonths/],
  ['ICX-CT-04', '    auditRights: {onsite: false}', 'not-evidenced'],
  ['ICX-CT-04', '    auditRights: {onsite: false, remote: false}', 'fail', /onsite and remote are false/],
  ['ICX-CT-07', '    dataLocalisation: {processingCountries: []}', 'not-evidenced'],
  ['ICX-CT-08', '    termination: {noticeDays: 90}', 'fail', /90 days' notice \(noticeDays/],
  ['ICX-CT-08', '    termination: {noticeDays: 14}', 'not-evidenced'],
  [
    'ICX-CT-11',
    '    incidentCooperation: {contactHours: business hours}',
    'fail',
    /business hours, not 24x7 \(contactHours\)/,
  ],
  ['ICX-CT-11', '    incidentCooperation: {sharesIndicators: false}', 'fail', /sharesIndicators: false/],
  ['ICX-CT-11', '    incidentCooperation: {contactHours: 24x7}', 'not-evidenced'],
];

const FIREWALL_CASES: Array<[control: string, spec: string, status: string, message?: RegExp]> = [
  ['ICX-FW-01', '  ss7: {mode: block, categories: {cat1: monitor}}', 'fail', /category 1 monitor/],
  ['ICX-FW-01', '  ss7: {categories: {cat1: block, cat2: monitor}}', 'fail', /category 2 monitor/],
  ['ICX-FW-01', '  ss7: {categories: {cat1: block, cat2: block}}', 'not-evidenced'],
  ['ICX-FW-02', '  ss7: {categories: {cat3: absent}}', 'fail', /category 3 absent/],
  ['ICX-FW-02', '  ss7: {categories: {cat3: monitor}}', 'not-evidenced'],
  ['ICX-FW-03', '  ss7: {blockedOperations: [anyTimeInterrogation]}', 'fail', /sendIMSI/],
  [
    'ICX-FW-03',
    '  ss7: {blockedOperations: [anyTimeInterrogation, provideSubscriberLocation, sendRoutingInfoForLCS, sendIMSI]}',
    'not-evidenced',
  ],
  ['ICX-FW-05', '  diameter: {mode: block, checks: {realmConsistency: false}}', 'fail', /realm consistency false/],
  ['ICX-FW-05', '  diameter: {checks: {originHostValidation: false}}', 'fail', /origin-host validation false/],
  ['ICX-FW-05', '  diameter: {mode: block, checks: {realmConsistency: true}}', 'not-evidenced'],
  ['ICX-FW-06', '  gtp: {mode: monitor, checks: {teidValidation: false}}', 'fail', /TEID validation false/],
  ['ICX-FW-06', '  gtp: {mode: monitor, checks: {teidValidation: true}}', 'not-evidenced'],
  ['ICX-FW-07', '  n32: {security: none}', 'fail', /security none/],
  ['ICX-FW-07', '  n32: {security: prins}', 'not-evidenced'],
  ['ICX-MON-01', '  monitoring: {alerting: false}', 'fail', /alerting false/],
  ['ICX-MON-01', '  monitoring: {siem: true}', 'not-evidenced'],
];

describe('a clause is not-evidenced only when what it leaves out could change the result', () => {
  for (const [control, clauses, status, message] of AGREEMENT_CASES) {
    it(`${control} on ${clauses.trim()}: ${status}`, () => {
      const f = findingOf(auditAgreement(clauses), control, 'InterconnectAgreement/ag-ne');
      expect(f.status).toBe(status);
      if (message) expect(f.message).toMatch(message);
      expect(f.message).not.toMatch(/\{\{|undefined|null/);
    });
  }
  for (const [control, spec, status, message] of FIREWALL_CASES) {
    it(`${control} on ${spec.trim()}: ${status}`, () => {
      const f = findingOf(auditFirewall(spec), control, 'FirewallPolicy/fw-ne');
      expect(f.status).toBe(status);
      if (message) expect(f.message).toMatch(message);
      expect(f.message).not.toMatch(/\{\{|undefined|null/);
    });
  }
});
