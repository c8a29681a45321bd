import { describe, expect, it } from 'vitest';
import { loadBuiltins } from '../src/audit/run-audit.js';
import { OwnershipResolver } from '../src/enrich/ownership.js';
import { buildWorld } from '../src/enrich/world.js';
import type { LoadedDocument } from '../src/model/types.js';

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const URL = /^https?:\/\/\S+$/;
const builtins = loadBuiltins().documents;
type Entity = LoadedDocument<'Carrier'> | LoadedDocument<'Owner'>;
const entries = builtins.filter((d): d is Entity => d.kind === 'Carrier' || d.kind === 'Owner');

/** What is missing from an entry's evidence: source (title), url and checked date, for itself and each listing. */
function missingEvidence(doc: Entity): string[] {
  const a = doc.value.metadata.annotations ?? {};
  const out: string[] = [];
  if (typeof a.source !== 'string' || a.source.trim() === '') out.push('metadata.annotations.source');
  if (typeof a.url !== 'string' || !URL.test(a.url)) out.push('metadata.annotations.url');
  if (typeof a.checked !== 'string' || !DATE.test(a.checked)) out.push('metadata.annotations.checked');
  (doc.value.spec.listings ?? []).forEach((listing, i: number) => {
    const l: Record<string, unknown> = { ...listing };
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
    } as Entity;
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
    for (const d of entries) expect(d.value.metadata.annotations!.checked <= '2026-12-01', d.id).toBe(true);
  });

  it('records the facts of the 2026-12 check', () => {
    const { world } = buildWorld(builtins, []);
    const resolver = new OwnershipResolver(world);
    // Either kind's spec, read as the plain data the schema accepted.
    const spec = (id: string): any => (world.carriers.get(id) ?? world.owners.get(id))!.value.spec;
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
    // Telstra International and HKT (International): jurisdiction unconfirmed, so left out (never HK, never a
    // placeholder code), with the reason and the source checked in annotations.jurisdiction.
    expect(spec('telstra-intl').incorporatedIn).toBeUndefined();
    expect(spec('telstra-intl').headquarters).toBeUndefined();
    expect(world.carriers.get('telstra-intl')!.value.metadata.annotations!.jurisdiction).toMatch(
      /^unconfirmed: .*Hong Kong \(HK\).*The Market Herald/,
    );
    expect(spec('hkt-intl').country).toBeUndefined();
    expect(world.owners.get('hkt-intl')!.value.metadata.annotations!.jurisdiction).toMatch(
      /^unconfirmed: FCC DA 25-928/,
    );
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

/** ISO 3166-1 user-assigned codes (AA, QM–QZ, XA–XZ, ZZ): placeholders, never a real jurisdiction. */
const USER_ASSIGNED = /^(AA|Q[M-Z]|X[A-Z]|ZZ)$/;

describe('unconfirmed jurisdictions (spec input-model.md: facts as evidence)', () => {
  const jurisdictionOf = (d: Entity): Record<string, string | undefined> =>
    d.kind === 'Carrier'
      ? { incorporatedIn: d.value.spec.incorporatedIn, headquarters: d.value.spec.headquarters }
      : { country: d.value.spec.country };

  it('no entry records a placeholder country code', () => {
    const placeholders = entries.flatMap((d) =>
      Object.entries(jurisdictionOf(d))
        .filter(([, code]) => code !== undefined && USER_ASSIGNED.test(code))
        .map(([field, code]) => `${d.kind}/${d.id}: spec.${field} ${code}`),
    );
    expect(placeholders).toEqual([]);
  });

  it('an entry that leaves its jurisdiction out says why: annotations.jurisdiction "unconfirmed: ..." with the claim and the source', () => {
    const omitted = entries.filter((d) => {
      const j = jurisdictionOf(d);
      return d.kind === 'Carrier' ? j.incorporatedIn === undefined : j.country === undefined;
    });
    expect(omitted.map((d) => `${d.kind}/${d.id}`).sort()).toEqual(['Carrier/telstra-intl', 'Owner/hkt-intl']);
    for (const d of omitted) {
      const note = d.value.metadata.annotations?.jurisdiction ?? '';
      expect(note, d.id).toMatch(/^unconfirmed: \S.{40,}/);
    }
  });

  it('an unconfirmed jurisdiction makes no carrier high-risk by itself under the default profile', async () => {
    const { resolveProfile } = await import('../src/enrich/profile.js');
    const { carrierView } = await import('../src/enrich/submission.js');
    const { world } = buildWorld(builtins, []);
    const { profile } = resolveProfile(world, { today: '2026-12-01' });
    const view = carrierView(world, new OwnershipResolver(world), profile, 'telstra-intl');
    expect(view).toMatchObject({ highRisk: false, riskReasons: [], incorporatedIn: '', headquarters: '' });
    expect(view.controller).toMatchObject({ id: 'telstra-group', country: 'AU' });
  });
});

/**
 * Sources whose only public URL known is a site's home page: registry-facts.md names the document (an
 * annual report, a press article by title and date) but gives no link to it. Each stays until someone
 * finds the document's own address; a new fact should bring a document URL instead of joining this list.
 */
const COMPANY_SITE =
  "the company's (or its parent's, or the state body's) own site, which publishes the annual report / shareholder information the entry cites; registry-facts.md gives no document URL";
const PRESS =
  'a press article registry-facts.md names by publisher (and title or date) without a link; the publisher is named';
const HOME_PAGE_ALLOWED: Record<string, string> = {
  'http://en.sasac.gov.cn': COMPANY_SITE,
  'https://group.ntt': COMPANY_SITE,
  'https://themarketherald.com.au': PRESS,
  'https://www.ap1.se': COMPANY_SITE,
  'https://www.ap3.se': COMPANY_SITE,
  'https://www.ap4.se': COMPANY_SITE,
  'https://www.arelion.com': COMPANY_SITE,
  'https://www.business-standard.com': PRESS,
  'https://www.capacitymedia.com': PRESS,
  'https://www.carlyle.com': COMPANY_SITE,
  'https://www.chinamobileltd.com': COMPANY_SITE,
  'https://www.chinatelecom-h.com': COMPANY_SITE,
  'https://www.chinatelecomglobal.com': COMPANY_SITE,
  'https://www.chinaunicom.com.hk': COMPANY_SITE,
  'https://www.chinaunicomglobal.com': COMPANY_SITE,
  'https://www.citic.com': COMPANY_SITE,
  'https://www.citictel.com': COMPANY_SITE,
  'https://www.cmi.chinamobile.com': COMPANY_SITE,
  'https://www.comfone.com': COMPANY_SITE,
  'https://www.commsupdate.com': PRESS,
  'https://www.docomo.ne.jp': COMPANY_SITE,
  'https://www.group.citic': COMPANY_SITE,
  'https://www.gruppotim.it': COMPANY_SITE,
  'https://www.hkt.com': COMPANY_SITE,
  'https://www.kfw.de': COMPANY_SITE,
  'https://www.orange.com': COMPANY_SITE,
  'https://www.pccw.com': COMPANY_SITE,
  'https://www.polheminfra.se': COMPANY_SITE,
  'https://www.proximus.com': COMPANY_SITE,
  'https://www.reuters.com': PRESS,
  'https://www.sepi.es': COMPANY_SITE,
  'https://www.singtel.com': COMPANY_SITE,
  'https://www.syniverse.com': COMPANY_SITE,
  'https://www.tata.com': COMPANY_SITE,
  'https://www.telefonica.com': COMPANY_SITE,
  'https://www.telekom.com': COMPANY_SITE,
  'https://www.telstra.com.au': COMPANY_SITE,
  'https://www.temasek.com.sg': COMPANY_SITE,
  'https://www.tisparkle.com': COMPANY_SITE,
};

/** A URL that is only a site (no path beyond "/", no query): a home page, not a document. */
function isHomePage(url: string): boolean {
  const u = new globalThis.URL(url);
  return (u.pathname === '' || u.pathname === '/') && u.search === '' && u.hash === '';
}

/** Every url of an entry: its own and each listing's, with where it is written. */
function urlsOf(doc: Entity): Array<{ url: string; field: string }> {
  const out: Array<{ url: string; field: string }> = [];
  const own = doc.value.metadata.annotations?.url;
  if (typeof own === 'string') out.push({ url: own, field: 'metadata.annotations.url' });
  (doc.value.spec.listings ?? []).forEach((l, i) => {
    if (typeof l.url === 'string') out.push({ url: l.url, field: `spec.listings.${i}.url` });
  });
  return out;
}

describe('source URLs point at documents, not home pages', () => {
  it('no url is a bare domain, except the allow-listed ones registry-facts.md gives nothing better for', () => {
    const bare = entries.flatMap((d) =>
      urlsOf(d)
        .filter(({ url }) => isHomePage(url) && !(url in HOME_PAGE_ALLOWED))
        .map(({ url, field }) => `${d.kind}/${d.id} ${field}: ${url}`),
    );
    expect(bare).toEqual([]);
  });

  it('the facts registry-facts.md gives a document for cite that document', () => {
    const { world } = buildWorld(builtins, []);
    const url = (id: string) => (world.carriers.get(id) ?? world.owners.get(id))!.value.metadata.annotations!.url;
    expect(url('pccw-global')).toBe('https://docs.fcc.gov/public/attachments/DA-25-928A1.pdf');
    expect(url('hkt-intl')).toBe('https://docs.fcc.gov/public/attachments/DA-25-928A1.pdf');
    expect(url('ntt-ipx')).toBe('https://www.gifu-np.co.jp/articles/-/537990');
    expect(url('cu-americas')).toBe('https://docs.fcc.gov/public/attachments/DOC-379680A1.pdf');
    for (const id of ['pacnet', 'comnet']) {
      expect(url(id)).toBe('https://tlp.law/2022/09/22/fcc-adds-pacnet-comnet-and-china-unicom-to-covered-list/');
      for (const l of world.carriers.get(id)!.value.spec.listings ?? [])
        expect(l.url, `${id} ${l.list}`).toBe(
          'https://tlp.law/2022/09/22/fcc-adds-pacnet-comnet-and-china-unicom-to-covered-list/',
        );
    }
  });

  it('the allow-list holds only home pages still in use', () => {
    const used = new Set(entries.flatMap((d) => urlsOf(d).map((u) => u.url)));
    for (const url of Object.keys(HOME_PAGE_ALLOWED)) {
      expect(isHomePage(url), url).toBe(true);
      expect(used.has(url), `${url} is allow-listed but no longer used: remove it`).toBe(true);
    }
  });

  it('the check itself rejects a bare domain and accepts a document', () => {
    expect(isHomePage('https://www.example.com')).toBe(true);
    expect(isHomePage('https://www.example.com/')).toBe(true);
    expect(isHomePage('https://www.example.com/annual-report-2025.pdf')).toBe(false);
    expect(isHomePage('https://www.example.com/?doc=annual-report')).toBe(false);
  });
});

describe('docs/registry.md', () => {
  it('lists every bundled entity with its checked date', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync('docs/registry.md', 'utf8');
    for (const d of entries) {
      const row = doc.split('\n').find((line) => line.startsWith(`| ${d.kind} | ${d.id} |`));
      expect(row, `${d.kind}/${d.id}`).toBeDefined();
      expect(row, `${d.kind}/${d.id}`).toContain(`| ${d.value.metadata.annotations!.checked} |`);
    }
  });
});
