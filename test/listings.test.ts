import { describe, expect, it } from 'vitest';
import { loadBuiltins } from '../src/audit/run-audit.js';
import { addMonths, listingsReaching, registryAsOf, staleRegistryFacts } from '../src/enrich/listings.js';
import { OwnershipResolver } from '../src/enrich/ownership.js';
import { resolveProfile } from '../src/enrich/profile.js';
import { carrierView } from '../src/enrich/submission.js';
import { buildWorld } from '../src/enrich/world.js';
import { loadText } from '../src/load/index.js';

const builtins = loadBuiltins().documents;

/** The shipped registry plus the given documents (an auditor's profile among them selects it). */
function worldWith(text = '', profileId?: string) {
  const loaded = loadText('extra.yaml', text);
  expect(loaded.diagnostics).toEqual([]);
  const { world, diagnostics } = buildWorld(
    [...builtins, ...loaded.documents.filter((d) => d.kind === 'AuditProfile')],
    loaded.documents.filter((d) => d.kind !== 'AuditProfile'),
  );
  expect(diagnostics).toEqual([]);
  const resolver = new OwnershipResolver(world);
  const { profile, diagnostics: profileErrors } = resolveProfile(world, {
    today: '2026-07-01',
    ...(profileId ? { id: profileId } : {}),
  });
  expect(profileErrors ?? []).toEqual([]);
  return { world, resolver, profile, view: (id: string) => carrierView(world, resolver, profile, id) };
}

const doc = (kind: string, id: string, spec: string) =>
  `---\napiVersion: ixaudit/v1\nkind: ${kind}\nmetadata: {id: ${id}, name: ${id} name}\nspec: ${spec}\n`;

/** A profile that counts listings and orders (strict's lists) but no jurisdiction at all. */
const LISTINGS_ONLY = `---
apiVersion: ixaudit/v1
kind: AuditProfile
metadata: {id: listings-only}
spec:
  extends: strict
  parameters:
    highRiskJurisdictions: []
`;

describe('listings reach (spec input-model.md, Carrier listings)', () => {
  it('CITIC Telecom and PCCW Global are high-risk under strict lists with no jurisdictions, naming the listed affiliate and the date', () => {
    const { view } = worldWith(LISTINGS_ONLY, 'listings-only');
    const citic = view('citic-tel');
    expect(citic.highRisk).toBe(true);
    expect(citic.riskReasons).toContain(
      'affiliate of Pacific Networks Corp., on us-fcc-covered-list since 2022-09-20 (scope group)',
    );
    expect(citic.riskReasons).toContain(
      'affiliate of ComNet (USA) LLC, on us-fcc-covered-list since 2022-09-20 (scope group)',
    );
    const pccw = view('pccw-global');
    expect(pccw.highRisk).toBe(true);
    expect(pccw.riskReasons).toEqual([
      'subsidiary of HKT (International) Limited, on us-fcc-order-to-show-cause since 2025-10-15 (scope subsidiaries)',
    ]);
    expect(pccw.listingRecords[0]).toMatchObject({
      listedEntity: 'hkt-intl',
      listedEntityKind: 'Owner',
      reach: 'subsidiary',
      since: '2025-10-15',
      url: 'https://docs.fcc.gov/public/attachments/DA-25-928A1.pdf',
    });
    // The verdict on the Chinese groups' international carriers is the same as when the listing was on them.
    for (const [id, listed] of [
      ['cmi', 'China Mobile International (USA) Inc.'],
      ['ctg', 'China Telecom (Americas) Corporation'],
      ['cug', 'China Unicom (Americas) Operations Limited'],
    ]) {
      expect(view(id).highRisk, id).toBe(true);
      expect(
        view(id).riskReasons.some((r) => r.startsWith(`affiliate of ${listed}, on us-fcc-covered-list since 2022-`)),
        id,
      ).toBe(true);
    }
    // Telstra's international arm: an Australian group, jurisdiction unconfirmed: nothing reaches it.
    expect(view('telstra-intl')).toMatchObject({ highRisk: false, riskReasons: [], incorporatedIn: '', listings: [] });
  });

  it('the default profile counts the Covered List and 214 revocations but not an order to show cause', () => {
    const { view } = worldWith();
    expect(view('pccw-global').highRiskListings).toEqual([]);
    expect(view('pccw-global').listings).toEqual(['us-fcc-order-to-show-cause']);
    expect(view('pccw-global').riskReasons.some((r) => r.includes('show-cause'))).toBe(false);
    expect(view('ct-americas').highRiskListings).toEqual(['us-fcc-covered-list', 'us-fcc-214-revocation']);
    expect(view('ct-americas').riskReasons).toContain('listed on us-fcc-214-revocation since 2021-10-26');
    expect(view('cmi').riskReasons).toContain(
      'affiliate of China Mobile International (USA) Inc., on us-fcc-covered-list since 2022-03-25 (scope group)',
    );
    expect(view('telstra-intl').highRisk).toBe(false);
  });

  it('a group listing reaches the whole operating group, not another group under the same government', () => {
    const { world, resolver } = worldWith();
    const reached = (id: string) =>
      listingsReaching(world, resolver, id).map((l) => `${l.listedEntity}:${l.list}:${l.reach}`);
    expect(reached('cmi')).toEqual(['cmi-usa:us-fcc-covered-list:affiliate']);
    // China Mobile's listing does not reach China Telecom's carriers although SASAC controls both.
    expect(reached('ctg')).toEqual(['ct-americas:us-fcc-covered-list:affiliate']);
    // An entity-scope order (the 214 denial) reaches no one but the entity.
    expect(reached('cmi-usa')).toEqual(['cmi-usa:us-fcc-covered-list:listed', 'cmi-usa:us-fcc-214-denial:listed']);
    expect(reached('comnet')).toEqual([
      'comnet:us-fcc-covered-list:listed',
      'comnet:us-fcc-214-revocation:listed',
      'pacnet:us-fcc-covered-list:subsidiary',
    ]);
    expect(reached('bics')).toEqual([]);
  });

  it('an Owner listing with scope subsidiaries reaches the carriers it controls, and only them', () => {
    const { view } = worldWith(
      doc(
        'Owner',
        'parent-x',
        '{type: company, country: DE, ownership: [], listings: [{list: us-fcc-covered-list, since: 2024-01-02, scope: subsidiaries, source: T, url: "https://example.org"}]}',
      ) +
        doc('Owner', 'mid-x', '{type: company, country: DE, ownership: [{owner: parent-x, share: 60}]}') +
        doc('Carrier', 'sub-x', '{incorporatedIn: DE, ownership: [{owner: mid-x, share: 100}]}') +
        doc('Carrier', 'minority-x', '{incorporatedIn: DE, ownership: [{owner: parent-x, share: 40}]}') +
        doc(
          'Carrier',
          'sister-x',
          '{incorporatedIn: DE, ownership: [{owner: parent-x, share: 51}], listings: [{list: some-order, scope: group}]}',
        ) +
        doc('Carrier', 'sister-y', '{incorporatedIn: DE, ownership: [{owner: mid-x, share: 51}]}'),
    );
    expect(view('sub-x').riskReasons).toEqual([
      'subsidiary of parent-x name, on us-fcc-covered-list since 2024-01-02 (scope subsidiaries)',
    ]);
    expect(view('sub-x').listingRecords[0]).toMatchObject({
      listedEntity: 'parent-x',
      listedEntityName: 'parent-x name',
      reach: 'subsidiary',
      scope: 'subsidiaries',
      source: 'T',
      url: 'https://example.org',
    });
    // A minority holding is no control: not reached.
    expect(view('minority-x').highRisk).toBe(false);
    // A group listing on one sister reaches the other (same group parent-x), not a minority-held one.
    expect(view('sister-y').listingRecords.map((l) => `${l.listedEntity}:${l.list}:${l.reach}`)).toEqual([
      'parent-x:us-fcc-covered-list:subsidiary',
      'sister-x:some-order:affiliate',
    ]);
    expect(view('minority-x').listings).toEqual([]);
  });

  it('an entity-scope listing does not reach a subsidiary; a group-scope listing on an Owner reaches sister carriers', () => {
    const { view } = worldWith(
      doc('Owner', 'gov-z', '{type: government, country: DE, ownership: []}') +
        doc('Owner', 'group-a', '{type: state-enterprise, country: DE, ownership: [{owner: gov-z, share: 100}]}') +
        doc('Owner', 'group-b', '{type: state-enterprise, country: DE, ownership: [{owner: gov-z, share: 100}]}') +
        doc(
          'Carrier',
          'top-a',
          '{incorporatedIn: DE, ownership: [{owner: group-a, share: 100}], listings: [{list: us-fcc-covered-list, since: 2023-05-06}]}',
        ) +
        doc('Carrier', 'child-a', '{incorporatedIn: DE, ownership: [{owner: top-a, share: 100}]}') +
        doc(
          'Owner',
          'us-arm-a',
          '{type: company, country: US, ownership: [{owner: group-a, share: 100}], listings: [{list: us-fcc-214-revocation, since: 2021-01-01, scope: group}]}',
        ) +
        doc('Carrier', 'top-b', '{incorporatedIn: DE, ownership: [{owner: group-b, share: 100}]}'),
    );
    expect(view('top-a').riskReasons).toEqual([
      'listed on us-fcc-covered-list since 2023-05-06',
      'affiliate of us-arm-a name, on us-fcc-214-revocation since 2021-01-01 (scope group)',
    ]);
    expect(view('child-a').highRiskListings).toEqual(['us-fcc-214-revocation']);
    expect(view('child-a').riskReasons).toEqual([
      'affiliate of us-arm-a name, on us-fcc-214-revocation since 2021-01-01 (scope group)',
    ]);
    // Same government, another group: not reached.
    expect(view('top-b').listings).toEqual([]);
  });

  it('an ambiguous chain is judged on every candidate owner', () => {
    const { view } = worldWith(
      doc('Owner', 'clean-o', '{type: company, country: DE, ownership: []}') +
        doc(
          'Owner',
          'listed-o',
          '{type: company, country: DE, ownership: [], listings: [{list: us-fcc-covered-list, since: 2022-01-01, scope: subsidiaries}]}',
        ) +
        doc(
          'Carrier',
          'amb',
          '{incorporatedIn: DE, ownership: [{owner: clean-o, share: 60}, {owner: listed-o, share: 60}]}',
        ),
    );
    expect(view('amb').riskReasons).toContain(
      'possible subsidiary of listed-o name, on us-fcc-covered-list since 2022-01-01 (scope subsidiaries; ownership ambiguous)',
    );
  });
});

describe("the registry's as-of date and stale facts", () => {
  it('registryAsOf is the oldest checked date of the bundled entries', () => {
    const { world } = worldWith();
    expect(registryAsOf(world)).toBe('2026-12-01');
  });

  it('staleRegistryFacts flags facts older than maxRegistryAgeMonths, and entries with no date', () => {
    const { world } = worldWith(doc('Carrier', 'undated', '{incorporatedIn: DE, ownership: []}'));
    expect(staleRegistryFacts(world, '2027-12-01', 12)).toEqual([]);
    expect(staleRegistryFacts(world, '2027-12-02', 12).length).toBeGreaterThan(40);
    expect(staleRegistryFacts(world, '2027-12-02', 12)[0]).toMatchObject({ checked: '2026-12-01' });
    expect(staleRegistryFacts(world, '2026-12-01', 12, 'all').map((f) => f.id)).toEqual(['undated']);
    expect(registryAsOf(world, 'all')).toBe('2026-12-01');
  });

  it('addMonths clamps to the end of a month', () => {
    expect(addMonths('2026-03-31', -1)).toBe('2026-02-28');
    expect(addMonths('2026-12-01', -12)).toBe('2025-12-01');
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
  });
});
