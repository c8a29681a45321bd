import { describe, expect, it } from 'vitest';
import { loadBuiltins } from '../src/cli/run-audit.js';
import { OwnershipResolver } from '../src/enrich/ownership.js';
import { buildWorld } from '../src/enrich/world.js';
import type { LoadedDocument } from '../src/model/types.js';

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const URL = /^https?:\/\/\S+$/;
const builtins = loadBuiltins().documents;
const entries = builtins.filter((d) => d.kind === 'Carrier' || d.kind === 'Owner');

/** What is missing from an entry's evidence: source (title), url and checked date, for itself and each listing. */
function missingEvidence(doc: LoadedDocument): string[] {
  const a = doc.value.metadata.annotations ?? {};
  const out: string[] = [];
  if (typeof a.source !== 'string' || a.source.trim() === '') out.push('metadata.annotations.source');
  if (typeof a.url !== 'string' || !URL.test(a.url)) out.push('metadata.annotations.url');
  if (typeof a.checked !== 'string' || !DATE.test(a.checked)) out.push('metadata.annotations.checked');
  (doc.value.spec.listings ?? []).forEach((l: Record<string, unknown>, i: number) => {
    if (typeof l.source !== 'string' || l.source.trim() === '') out.push(`spec.listings.${i}.source`);
    if (typeof l.url !== 'string' || !URL.test(l.url)) out.push(`spec.listings.${i}.url`);
    if (typeof l.since !== 'string' || !DATE.test(l.since)) out.push(`spec.listings.${i}.since`);
    const checked = l.checked ?? a.checked;
    if (typeof checked !== 'string' || !DATE.test(checked)) out.push(`spec.listings.${i}.checked`);
  });
  return out;
}

describe('bundled registry (registry/carriers.yaml, registry/owners.yaml)', () => {
  it('loads without diagnostics', () => {
    expect(loadBuiltins().diagnostics).toEqual([]);
    expect(entries.length).toBeGreaterThan(60);
  });

  it('every Carrier and Owner records a source, a url and the date it was last checked; every listing too', () => {
    const missing = entries.flatMap((d) => missingEvidence(d).map((m) => `${d.kind}/${d.id}: ${m}`));
    expect(missing).toEqual([]);
  });

  it('the test itself rejects an entry without them', () => {
    const bare = {
      ...entries[0],
      value: { ...entries[0].value, metadata: { id: 'x' }, spec: { listings: [{ list: 'l' }] } },
    } as LoadedDocument;
    expect(missingEvidence(bare)).toEqual([
      'metadata.annotations.source',
      'metadata.annotations.url',
      'metadata.annotations.checked',
      'spec.listings.0.source',
      'spec.listings.0.url',
      'spec.listings.0.since',
      'spec.listings.0.checked',
    ]);
  });

  it('no checked date lies in the future of the check itself, and none is malformed', () => {
    for (const d of entries) expect(d.value.metadata.annotations.checked <= '2026-12-01', d.id).toBe(true);
  });

  it('records the facts of the 2026-12 check', () => {
    const { world } = buildWorld(builtins, []);
    const resolver = new OwnershipResolver(world);
    const spec = (id: string) => (world.carriers.get(id) ?? world.owners.get(id))!.value.spec;
    expect(spec('cmi').identifiers.asns).toEqual(expect.arrayContaining([58453, 58807]));
    expect(spec('ctg').identifiers.asns).toEqual(expect.arrayContaining([23764, 4809]));
    expect(spec('cmi').identifiers.plmns).toEqual(expect.arrayContaining(['454-13', '460-04', '460-08']));
    expect(spec('ctg').identifiers.plmns).toContain('460-05');
    expect(spec('cug').identifiers.plmns).toEqual(expect.arrayContaining(['460-09', '454-07']));
    expect(spec('telefonica-gs').identifiers?.asns ?? []).not.toContain(12956);
    expect(spec('telxius')).toMatchObject({
      identifiers: { asns: [12956] },
      ownership: [{ owner: 'telefonica-sa', share: 70 }],
    });
    expect(spec('deutsche-telekom').ownership).toEqual([
      { owner: 'german-federal-government', share: 13.8 },
      { owner: 'kfw', share: 14.0 },
    ]);
    expect(spec('hkt').country).toBe('KY');
    expect(spec('tim').ownership).toEqual([{ owner: 'poste-italiane', share: 24.8 }]);
    expect(world.carriers.get('ntt-ipx')!.value.metadata.name).toMatch(/^NTT DOCOMO BUSINESS/);
    // Telstra International: jurisdiction unconfirmed, never HK.
    expect(spec('telstra-intl')).toMatchObject({ incorporatedIn: 'ZZ', headquarters: 'ZZ' });
    expect(world.carriers.get('telstra-intl')!.value.metadata.annotations.jurisdiction).toMatch(/unconfirmed/);
    // BICS through Proximus Global, still controlled by Proximus and so the Belgian State.
    expect(resolver.resolve('bics').chain.map((s) => s.id)).toEqual([
      'bics',
      'proximus-global',
      'proximus',
      'belgian-state',
    ]);
    // Listings sit on the entity the regulator names, not on the international carrier.
    for (const id of ['cmi', 'ctg', 'cug', 'citic-tel', 'pccw-global']) expect(spec(id).listings ?? [], id).toEqual([]);
    const covered = (id: string) => spec(id).listings.find((l: { list: string }) => l.list === 'us-fcc-covered-list');
    expect(covered('cmi-usa')).toMatchObject({ since: '2022-03-25', scope: 'group' });
    expect(covered('ct-americas')).toMatchObject({ since: '2022-03-25', scope: 'group' });
    expect(covered('cu-americas')).toMatchObject({ since: '2022-09-20', scope: 'group' });
    expect(covered('pacnet')).toMatchObject({ since: '2022-09-20', scope: 'group' });
    expect(covered('comnet')).toMatchObject({ since: '2022-09-20', scope: 'group' });
    expect(spec('hkt-intl').listings).toEqual([
      expect.objectContaining({ list: 'us-fcc-order-to-show-cause', since: '2025-10-15', scope: 'subsidiaries' }),
    ]);
    // No chain resolves to another controller than before.
    expect(resolver.resolve('cmi-usa').group.id).toBe('china-mobile-group');
    expect(resolver.resolve('pacnet').controller.id).toBe('mof-cn');
    expect(resolver.resolve('pccw-global').controller.id).toBe('pccw-ltd');
  });
});

describe('docs/registry.md', () => {
  it('lists every bundled entity with its checked date', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync('docs/registry.md', 'utf8');
    for (const d of entries) {
      const row = doc.split('\n').find((line) => line.startsWith(`| ${d.kind} | ${d.id} |`));
      expect(row, `${d.kind}/${d.id}`).toBeDefined();
      expect(row, `${d.kind}/${d.id}`).toContain(`| ${d.value.metadata.annotations.checked} |`);
    }
  });
});
