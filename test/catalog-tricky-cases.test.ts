import { describe, expect, it } from 'vitest';
import { audit } from './support/audit.js';
import { findingOf } from './support/findings.js';
import { REGULATOR } from './support/run.js';

// The specification's "tricky cases a correct engine catches", one test each, on the bundled samples
// (inputs/): each names the finding, where it points, and the evidence a reviewer needs to agree.
// The control fixtures in test/controls/ repeat each case in miniature (see the comments there).

const result = audit(['inputs'], REGULATOR);

function finding(operator: string, control: string, subject: string) {
  const found = findingOf(
    result.findings.filter((f) => f.operator === operator),
    control,
    subject,
  );
  if (!found) throw new Error(`no ${control} finding on ${subject} for ${operator}`);
  return found;
}

describe('tricky cases from the catalog specification', () => {
  it('a trusted IPX primary whose agreement allows unapproved subcontracting, with transit through a carrier a Chinese state enterprise controls via Hong Kong', () => {
    const route = 'RoutingTable/rt-kr-dia-2026q2#r-0001';
    // The primary itself is clean ...
    expect(finding('kr-hanbit', 'ICX-RT-01', route)).toMatchObject({
      status: 'pass',
      evidence: { carrier: 'syniverse', highRisk: false },
    });
    // ... but its agreement lets it subcontract without approval or flow-down ...
    expect(finding('kr-hanbit', 'ICX-CT-03', 'InterconnectAgreement/ag-kr-syniverse-2025')).toMatchObject({
      status: 'fail',
      location: { file: 'inputs/kr-hanbit/agreements.yaml', line: 22 },
      evidence: { allowed: true, priorApproval: false, flowDown: false, approved: [] },
    });
    // ... and the declared transit reaches meridian-transit, neither approved nor contracted, high-risk.
    const rt08 = finding('kr-hanbit', 'ICX-RT-08', route);
    expect(rt08).toMatchObject({
      status: 'fail',
      location: { file: 'inputs/kr-hanbit/routing-diameter.yaml', line: 23 },
    });
    expect(rt08.evidence).toMatchObject({
      primary: 'syniverse',
      primaryAgreements: ['ag-kr-syniverse-2025'],
      unapprovedTransit: [{ carrier: 'meridian-transit', position: 'transit 2', highRisk: true }],
    });
    const rt03 = finding('kr-hanbit', 'ICX-RT-03', route);
    expect(rt03.status).toBe('fail');
    expect((rt03.evidence.highRiskTransit as Array<{ ownership: string }>)[0].ownership).toMatch(
      /^Meridian Transit Pte\. Ltd\. \(SG\) → Harbour Holdings Limited \(海港控股有限公司\) \(HK, company, 100 %\) → .* \(CN, state-enterprise, 60 %\)(?: \[operating group\])? → State-owned Assets Supervision/,
    );
  });

  it('a standby route with a clean primary that fails over to a high-risk carrier', () => {
    const route = 'RoutingTable/rt-jp-ss7-2026q2#r-0003';
    expect(finding('jp-sakura', 'ICX-RT-01', route).status).toBe('not-applicable'); // RT-01 judges active routes
    const rt02 = finding('jp-sakura', 'ICX-RT-02', route);
    expect(rt02).toMatchObject({
      status: 'fail',
      location: { file: 'inputs/jp-sakura/routing-ss7.yaml', line: 45, column: 27 },
    });
    expect(rt02.evidence).toMatchObject({
      routeStatus: 'standby',
      highRiskBackups: [{ carrier: 'ctg', position: 'backup 1' }],
    });
    // The FCC names China Telecom (Americas); its Covered List entry reaches ctg as an affiliate (scope group).
    expect((rt02.evidence.highRiskBackups as Array<{ reasons: string[] }>)[0].reasons).toContain(
      'affiliate of China Telecom (Americas) Corporation, on us-fcc-covered-list since 2022-03-25 (scope group)',
    );
  });

  it('state control three ownership hops up, through a holding company in a third country', () => {
    const own04 = finding('kr-hanbit', 'ICX-OWN-04', 'Carrier/meridian-transit');
    expect(own04).toMatchObject({
      status: 'fail',
      severity: 'info',
      location: { file: 'regulator/registry/parties.yaml', line: 117 },
    });
    expect(own04.evidence).toMatchObject({
      stateOwner: { id: 'pearl-river-comms', type: 'state-enterprise', country: 'CN', share: 60 },
      controller: { id: 'sasac', type: 'government', country: 'CN' },
      chain: [
        { id: 'meridian-transit', country: 'SG', share: null },
        { id: 'harbour-holdings', country: 'HK', share: 100 },
        { id: 'lionsgate-capital', country: 'SG', share: 70 },
        { id: 'pearl-river-comms', country: 'CN', share: 60 },
        { id: 'sasac', country: 'CN', share: 100 },
      ],
    });
    // Incorporated and headquartered in SG, it is high-risk only through its controller.
    expect(
      (
        finding('kr-hanbit', 'ICX-RT-03', 'RoutingTable/rt-kr-dia-2026q2#r-0001').evidence.highRiskTransit as Array<{
          reasons: string[];
        }>
      )[0].reasons,
    ).toEqual([
      'ultimate controller State-owned Assets Supervision and Administration Commission of the State Council (国务院国有资产监督管理委员会) (government) is in CN',
    ]);
  });

  it('a waiver that expired one day before the audit date leaves the finding failed, and says so', () => {
    expect(result.run.auditDate).toBe('2026-07-01');
    expect(finding('jp-sakura', 'ICX-RT-02', 'RoutingTable/rt-jp-ss7-2026q2#r-0003')).toMatchObject({
      status: 'fail',
      waiver: { id: 'w-jp-002', status: 'expired', expires: '2026-06-30' },
    });
    expect(result.waivers.find((w) => w.id === 'w-jp-002')).toMatchObject({
      status: 'expired',
      location: { file: 'regulator/waivers/jp-sakura.yaml', line: 25 },
    });
  });

  it('a waiver that matches no finding is reported as unmatched', () => {
    expect(result.waivers.find((w) => w.id === 'w-jp-003')).toMatchObject({
      status: 'unmatched',
      matched: [],
      message: expect.stringContaining('r-does-not-exist'),
    });
  });

  it('a domestic route tromboned through a foreign hub', () => {
    const rt06 = finding('kr-hanbit', 'ICX-RT-06', 'RoutingTable/rt-kr-ss7-2026q2#r-0006');
    expect(rt06).toMatchObject({ status: 'fail', location: { file: 'inputs/kr-hanbit/routing-ss7.yaml', line: 72 } });
    expect(rt06.evidence).toEqual({
      foreignCarriers: [
        { carrier: 'bics', position: 'backup 1', country: 'BE' },
        { carrier: 'pccw-global', position: 'transit 2', country: 'HK' },
      ],
      destination: 'KR',
    });
    // The domestic route that stays domestic passes.
    expect(finding('kr-hanbit', 'ICX-RT-06', 'RoutingTable/rt-kr-ss7-2026q2#r-0008').status).toBe('pass');
  });

  it('a clause that is simply missing is not evidenced; one set to false fails', () => {
    expect(finding('nz-aotearoa', 'ICX-CT-03', 'InterconnectAgreement/ag-nz-tata-2025')).toMatchObject({
      status: 'not-evidenced',
      evidence: {},
    });
    expect(finding('nz-aotearoa', 'ICX-CT-03', 'InterconnectAgreement/ag-nz-ctg-2023')).toMatchObject({
      status: 'fail',
      evidence: { allowed: true, priorApproval: false },
    });
  });

  it("exposure to a high-risk group's own network passes as unavoidable and is counted apart", () => {
    expect(finding('jp-sakura', 'ICX-RT-01', 'RoutingTable/rt-jp-ss7-2026q2#r-0002')).toMatchObject({
      status: 'pass',
      evidence: { carrier: 'cmi', highRisk: true, unavoidable: true },
    });
    expect(finding('jp-sakura', 'ICX-RT-04', 'RoutingTable/rt-jp-ss7-2026q2').evidence).toMatchObject({
      avoidableShare: 6,
      unavoidableShare: 4,
    });
  });
});
