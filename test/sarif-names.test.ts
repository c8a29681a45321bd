import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ajvDraft04 from 'ajv-draft-04';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../src/model/report.js';
import { packageRoot } from '../src/paths.js';
import { sarifJson, sarifLog } from '../src/report/sarif/index.js';
import {
  controlAnchors,
  controlHelpUri,
  defaultSarifLinks,
  headingAnchor,
  linksFromPackage,
  repositoryWebUrl,
  type SarifLinks,
} from '../src/report/sarif/links.js';
import {
  friendlyName,
  NOTIFICATION_CODES,
  notificationDescriptors,
  PASCAL_IDENTIFIER,
  RESULT_LIMIT_NOTIFICATION,
  ruleForUnlisted,
  sameAsId,
} from '../src/report/sarif/mapping.js';
import type { SarifLog } from '../src/report/sarif/types.js';
import { isUri, isUriReference } from '../src/report/uri.js';
import { auditReport } from './support/audit.js';
import { REGULATOR } from './support/run.js';

// Issue 15: Microsoft's SARIF multitool (`validate`) flagged SARIF1001 (a descriptor's name equal to its
// id, compared ignoring case) and SARIF2005 (no tool.driver.informationUri); its SARIF2012 note wants
// each rule's name to be a Pascal identifier and a helpUri. These tests pin what it checks.

const PACKAGE = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8'));
const CONTROLS_DOC = readFileSync(join(packageRoot, 'docs', 'controls.md'), 'utf8');
/** A repository address for the tests only (package.json has none, see docs/interchange.md). */
const EXAMPLE_LINKS: SarifLinks = {
  ...linksFromPackage({ repository: 'github:example/ixaudit' }),
  controlAnchors: controlAnchors(CONTROLS_DOC),
};

let samples: AuditReport;
let log: SarifLog;

beforeAll(() => {
  samples = auditReport(['inputs'], REGULATOR);
  log = sarifLog(samples);
});

function descriptors(sarif: SarifLog) {
  const driver = sarif.runs[0].tool.driver;
  return [...driver.rules, ...driver.notifications];
}

describe('SARIF descriptor names', () => {
  it('gives every rule and notification descriptor a Pascal name that is not its id', () => {
    const all = descriptors(log);
    // Every control, every diagnostic code, and the log's own notice of results left out at GitHub's limit.
    expect(all.length).toBe(samples.result.controls.length + NOTIFICATION_CODES.length + 1);
    for (const descriptor of all) {
      expect(descriptor.name, descriptor.id).toMatch(PASCAL_IDENTIFIER);
      expect(sameAsId(descriptor.name!, descriptor.id), `${descriptor.id} → ${descriptor.name}`).toBe(false);
      expect(descriptor.name!.toLowerCase()).not.toBe(descriptor.id.toLowerCase()); // SARIF1001 exactly
    }
    // Distinct within each list, so a viewer can tell them apart by name.
    const driver = log.runs[0].tool.driver;
    expect(new Set(driver.rules.map((r) => r.name)).size).toBe(driver.rules.length);
    expect(new Set(driver.notifications.map((n) => n.name)).size).toBe(driver.notifications.length);
  });

  it('names every diagnostic code for what went wrong, not its code re-cased', () => {
    const byId = Object.fromEntries(notificationDescriptors().map((d) => [d.id, d.name]));
    expect(Object.keys(byId)).toEqual([...NOTIFICATION_CODES, RESULT_LIMIT_NOTIFICATION]);
    expect(byId).toMatchObject({
      io: 'InputNotReadable',
      'yaml-syntax': 'InvalidYamlSyntax',
      'ownership-cycle': 'ControllingOwnershipLoop',
      usage: 'InvalidCommandLine',
      'result-limit': 'ResultsLeftOutAtGitHubLimit',
    });
    expect(sameAsId('YamlSyntax', 'yaml-syntax')).toBe(true);
    expect(sameAsId('Io', 'io')).toBe(true);
  });

  it('derives a rule name from the title as a Pascal identifier the multitool accepts', () => {
    const byId = Object.fromEntries(log.runs[0].tool.driver.rules.map((r) => [r.id, r.name]));
    expect(byId['ICX-RT-01']).toBe('NoHighRiskCarrierAsPrimaryNextHop');
    expect(byId['ICX-RT-02']).toBe('NoFailoverToHighRiskCarrier');
    expect(friendlyName('SS7 firewall blocks FS.11 category 1 and 2 messages')).toBe(
      'Ss7FirewallBlocksFs11Category1And2Messages',
    );
    expect(friendlyName('GTP-C screening with TEID and source checks')).toBe('GtpcScreeningWithTeidAndSourceChecks');
    expect(friendlyName('A SEPP protects N32 with PRINS or TLS')).toBe('SeppProtectsN32WithPrinsOrTls');
    expect(friendlyName("No single operating group carries most of a protocol's traffic")).toBe(
      'NoSingleOperatingGroupCarriesMostOfProtocolsTraffic',
    );
    expect(friendlyName('The firewall policy was reviewed in the last 12 months')).toBe(
      'TheFirewallPolicyWasReviewedInTheLast12Months',
    );
    // No Pascal identifier to be had: the optional name is left out rather than malformed.
    expect(friendlyName('5G core')).toBe('');
    expect(friendlyName('—')).toBe('');
    expect(ruleForUnlisted({ control: 'ICX-X-01', title: '5G core', severity: 'high' }).name).toBeUndefined();
    // A title that only repeats the id gives no name either (SARIF1001).
    expect(ruleForUnlisted({ control: 'ICX-ENGINE', title: 'icx engine', severity: 'high' }).name).toBeUndefined();
  });
});

describe('SARIF links (informationUri, helpUri)', () => {
  it('has informationUri and helpUri exactly when package.json gives the project an address', () => {
    const configured = linksFromPackage(PACKAGE);
    const driver = log.runs[0].tool.driver;
    expect(driver.informationUri).toBe(configured.informationUri);
    if (!configured.controlsDocUri) for (const rule of driver.rules) expect(rule.helpUri).toBeUndefined();
    // Today package.json has neither `homepage` nor `repository`: nothing is invented.
    if (PACKAGE.homepage === undefined && PACKAGE.repository === undefined) {
      expect(defaultSarifLinks()).toEqual({});
      expect(driver).not.toHaveProperty('informationUri');
    }
  });

  it('with a configured address, points the driver at it and each rule at its section of docs/controls.md', () => {
    const linked = sarifLog(samples, EXAMPLE_LINKS);
    const driver = linked.runs[0].tool.driver;
    expect(driver.informationUri).toBe('https://github.com/example/ixaudit');
    const rt02 = driver.rules.find((r) => r.id === 'ICX-RT-02')!;
    expect(rt02.helpUri).toBe(
      'https://github.com/example/ixaudit/blob/HEAD/docs/controls.md#icx-rt-02--no-failover-to-a-high-risk-carrier',
    );
    for (const rule of driver.rules) {
      expect(rule.helpUri, rule.id).toBeDefined();
      expect(isUri(rule.helpUri!), rule.helpUri).toBe(true);
      // The anchor is one of docs/controls.md's headings, the one that starts with the rule's id.
      const heading = CONTROLS_DOC.split('\n').find((line) => line.startsWith(`### ${rule.id} — `))!;
      expect(heading, rule.id).toBeDefined();
      expect(rule.helpUri).toBe(
        `https://github.com/example/ixaudit/blob/HEAD/docs/controls.md#${headingAnchor(heading.slice(4))}`,
      );
    }
    // The linked log is still valid SARIF 2.1.0 (helpUri and informationUri have the "uri" format).
    const ajv = new ajvDraft04.default({ allErrors: true });
    ajv.addFormat('uri', isUri);
    ajv.addFormat('uri-reference', isUriReference);
    ajv.addFormat('date-time', () => true);
    const validate = ajv.compile(
      JSON.parse(readFileSync(join(packageRoot, 'test', 'fixtures', 'schemas', 'sarif-schema-2.1.0.json'), 'utf8')),
    );
    expect(validate(JSON.parse(sarifJson(samples, EXAMPLE_LINKS))), JSON.stringify(validate.errors, null, 1)).toBe(
      true,
    );
  });

  it('gives no helpUri to a control docs/controls.md does not document', () => {
    expect(controlHelpUri(EXAMPLE_LINKS, 'ICX-ENGINE')).toBeUndefined();
    expect(controlHelpUri(EXAMPLE_LINKS, 'ACME-LOCAL-01')).toBeUndefined();
    expect(controlHelpUri({ informationUri: 'https://example.org' }, 'ICX-RT-02')).toBeUndefined();
    expect(controlHelpUri(undefined, 'ICX-RT-02')).toBeUndefined();
  });

  it('reads the forms npm allows for repository and homepage', () => {
    expect(repositoryWebUrl('github:owner/repo')?.url).toBe('https://github.com/owner/repo');
    expect(repositoryWebUrl('owner/repo')?.url).toBe('https://github.com/owner/repo');
    expect(repositoryWebUrl({ type: 'git', url: 'git+https://github.com/owner/repo.git' })?.url).toBe(
      'https://github.com/owner/repo',
    );
    expect(repositoryWebUrl('git@github.com:owner/repo.git')?.url).toBe('https://github.com/owner/repo');
    expect(repositoryWebUrl('git://github.com/owner/repo.git')?.url).toBe('https://github.com/owner/repo');
    expect(repositoryWebUrl('gitlab:group/repo')?.url).toBe('https://gitlab.com/group/repo');
    expect(repositoryWebUrl('not a url')).toBeUndefined();
    expect(repositoryWebUrl(undefined)).toBeUndefined();

    expect(linksFromPackage({})).toEqual({});
    expect(linksFromPackage({ homepage: 'https://ixaudit.example' })).toEqual({
      informationUri: 'https://ixaudit.example',
    });
    expect(linksFromPackage({ homepage: 'docs/index.html' })).toEqual({}); // not absolute: SARIF needs a URI
    expect(
      linksFromPackage({
        repository: { type: 'git', url: 'https://github.com/owner/mono.git', directory: 'packages/ixaudit' },
      }),
    ).toEqual({
      informationUri: 'https://github.com/owner/mono',
      controlsDocUri: 'https://github.com/owner/mono/blob/HEAD/packages/ixaudit/docs/controls.md',
    });
    expect(linksFromPackage({ homepage: 'https://ixaudit.example', repository: 'gitlab:group/repo' })).toEqual({
      informationUri: 'https://ixaudit.example',
      controlsDocUri: 'https://gitlab.com/group/repo/-/blob/HEAD/docs/controls.md',
    });
    // A host whose file addresses we do not know gets no controls link, only the home page.
    expect(linksFromPackage({ repository: 'https://git.example.org/owner/repo' })).toEqual({
      informationUri: 'https://git.example.org/owner/repo',
    });
  });

  it('finds a section in docs/controls.md for every shipped control, with the anchor GitHub gives it', () => {
    const anchors = controlAnchors(CONTROLS_DOC);
    for (const control of samples.result.controls) expect(anchors.has(control.id), control.id).toBe(true);
    expect(anchors.get('ICX-OWN-01')).toBe('icx-own-01--carrier-ownership-resolves-to-an-ultimate-controller');
    expect(headingAnchor('ICX-FW-01 — SS7 firewall blocks FS.11 category 1 and 2 messages')).toBe(
      'icx-fw-01--ss7-firewall-blocks-fs11-category-1-and-2-messages',
    );
  });
});
