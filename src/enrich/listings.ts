import type { LoadedDocument } from '../model/types.js';
import { controllingEdge, holdingConflict, type ChainStep, type OwnershipResolver } from './ownership.js';
import type { World } from './world.js';

/**
 * Public regulatory listings and orders (the FCC Covered List, a Section 214 revocation, an order to show
 * cause, a sanctions list) and how each reaches a carrier (spec input-model.md, Carrier `listings`):
 *
 * - a listing reaches the entity that carries it, whatever its scope;
 * - with `scope: subsidiaries` also every entity that entity controls (down the controlling chains);
 * - with `scope: group` every entity of its operating group (the regulator's "subsidiaries and
 *   affiliates"): a listing on China Mobile International (USA) Inc. reaches CMI, its parent, and every
 *   other China Mobile group carrier, but not China Telecom's although SASAC controls both.
 *
 * Pure: reads the documents and the resolver's chains, changes neither.
 */

export type ListingScope = 'entity' | 'subsidiaries' | 'group';
export const LISTING_SCOPES: readonly ListingScope[] = ['entity', 'subsidiaries', 'group'];

/** A listing as written on a Carrier or an Owner. */
export interface Listing {
  list: string;
  since?: string;
  scope?: ListingScope;
  names?: string;
  source?: string;
  url?: string;
  checked?: string;
}

/** How a listing reaches a carrier: on the carrier itself, on an entity that controls it, or on an affiliate. */
export type Reach = 'listed' | 'subsidiary' | 'affiliate';

/** One listing that reaches a carrier, with the entity that carries it and how it reached. */
export interface ReachedListing {
  list: string;
  since: string;
  scope: ListingScope;
  names: string;
  source: string;
  url: string;
  checked: string;
  /** The id, name and kind of the entity the listing is written on (the one the regulator names). */
  listedEntity: string;
  listedEntityName: string;
  listedEntityKind: 'Carrier' | 'Owner';
  reach: Reach;
  /**
   * True when the listing reaches only through one of the possible controlling owners of an entity with
   * inconsistent holdings (judged conservatively, like jurisdiction risk on such a chain).
   */
  ambiguous: boolean;
  /** "affiliate of China Mobile International (USA) Inc." / "subsidiary of ..." / "listed". */
  how: string;
  /** The whole reason: "affiliate of X, on us-fcc-covered-list since 2022-03-25 (scope group)". */
  text: string;
}

/** A registry entry: a Carrier or an Owner (both may carry ownership and listings). */
export type RegistryEntity = LoadedDocument<'Carrier'> | LoadedDocument<'Owner'>;

/** An entity that carries listings, with the controlling chain above it (ids and types), for group reach. */
interface ListedEntity {
  doc: RegistryEntity;
  listings: Listing[];
  /** The entity itself first, then each controlling owner up to where the chain ends or stops short. */
  chain: Array<{ id: string; type: string }>;
}

const listedCache = new WeakMap<World, ListedEntity[]>();

/** Every Carrier and Owner of the run that carries a listing, in id order (Carriers first). */
function listedEntities(world: World): ListedEntity[] {
  const cached = listedCache.get(world);
  if (cached) return cached;
  const out: ListedEntity[] = [];
  const docs = [...sortedById(world.carriers), ...sortedById(world.owners)];
  for (const doc of docs) {
    const listings: Listing[] = doc.value.spec?.listings ?? [];
    if (!Array.isArray(listings) || listings.length === 0) continue;
    out.push({ doc, listings, chain: controllingChain(world, doc) });
  }
  listedCache.set(world, out);
  return out;
}

function sortedById<D extends RegistryEntity>(map: Map<string, D>): D[] {
  return [...map.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The controlling chain above any entity (a Carrier or an Owner): the same rule as OwnershipResolver
 * (an explicit `control: true`, else the largest holding over 50 %), stopping at an entity without a
 * controlling owner, at inconsistent holdings, at an undefined owner or at a cycle. Where it stops short
 * it still names the entities it passed, and sharing one of them is sharing a group.
 */
export function controllingChain(world: World, start: RegistryEntity): Array<{ id: string; type: string }> {
  const chain = [{ id: start.id, type: typeOf(start) }];
  const seen = new Set([start.id]);
  let current: RegistryEntity = start;
  for (;;) {
    const edges = current.value.spec?.ownership ?? [];
    if (!Array.isArray(edges) || holdingConflict(edges)) return chain;
    const index = controllingEdge(edges);
    if (index < 0) return chain;
    const next = world.owners.get(edges[index].owner) ?? world.carriers.get(edges[index].owner);
    if (!next || seen.has(next.id)) return chain;
    seen.add(next.id);
    chain.push({ id: next.id, type: typeOf(next) });
    current = next;
  }
}

function typeOf(doc: RegistryEntity): string {
  return doc.kind === 'Owner' ? doc.value.spec.type : 'company';
}

/**
 * Two entities are of one operating group when their controlling chains meet at an entity that is not a
 * government: the group is the topmost non-government entity above that meeting point, the same for
 * both. Chains that meet only at a government (SASAC above China Mobile and China Telecom) are of two
 * groups. Holds for chains that stop short too: whatever is above the meeting point is shared.
 */
function sameGroup(
  a: ReadonlyArray<{ id: string; type: string }>,
  b: ReadonlyArray<{ id: string; type: string }>,
): boolean {
  const ids = new Set(a.filter((s) => s.type !== 'government').map((s) => s.id));
  return b.some((s) => s.type !== 'government' && ids.has(s.id));
}

const REACH_ORDER: Record<Reach, number> = { listed: 0, subsidiary: 1, affiliate: 2 };

/**
 * Every listing that reaches the carrier, most direct first: its own, then those of the entities up its
 * controlling chain (scope subsidiaries or group), nearest first, then those of its affiliates (scope
 * group) by entity id; one entity's listings in the order they are written. A listing
 * that reaches by more than one path is given once, by the most direct. When the carrier's ownership is
 * ambiguous (inconsistent holdings), the chains of every candidate controlling owner are followed as well
 * and what reaches only through them is marked `ambiguous`.
 */
export function listingsReaching(world: World, resolver: OwnershipResolver, carrierId: string): ReachedListing[] {
  const doc = world.carriers.get(carrierId);
  if (!doc) return [];
  const resolution = resolver.resolve(carrierId);
  const chains: Array<{ steps: ChainStep[]; ambiguous: boolean }> = [
    { steps: resolution.chain, ambiguous: false },
    ...resolution.candidates.map((c) => ({ steps: c.chain, ambiguous: true })),
  ];
  const found = new Map<string, { order: number; index: number; record: ReachedListing }>();
  for (const entity of listedEntities(world)) {
    entity.listings.forEach((listing, index) => {
      const scope: ListingScope = listing.scope ?? 'entity';
      for (const { steps, ambiguous } of chains) {
        const reach = reachOf(entity, scope, carrierId, steps);
        if (!reach) continue;
        const order = REACH_ORDER[reach] * 2 + (ambiguous ? 1 : 0);
        const key = `${entity.doc.kind}/${entity.doc.id}#${index}`;
        const before = found.get(key);
        if (before && before.order <= order) continue;
        found.set(key, { order, index, record: record(entity, listing, scope, reach, ambiguous) });
      }
    });
  }
  const chainIndex = (id: string) => {
    const i = resolution.chain.findIndex((s) => s.id === id);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return [...found.values()]
    .sort(
      (a, b) =>
        a.order - b.order ||
        chainIndex(a.record.listedEntity) - chainIndex(b.record.listedEntity) ||
        compare(a.record.listedEntityKind, b.record.listedEntityKind) ||
        compare(a.record.listedEntity, b.record.listedEntity) ||
        a.index - b.index,
    )
    .map((f) => f.record);
}

function reachOf(
  entity: ListedEntity,
  scope: ListingScope,
  carrierId: string,
  steps: readonly ChainStep[],
): Reach | undefined {
  const id = entity.doc.id;
  const isCarrier = entity.doc.kind === 'Carrier';
  if (isCarrier && id === carrierId) return 'listed';
  if (scope === 'entity') return undefined;
  // Up the carrier's controlling chain (the carrier itself is steps[0]). An Owner and a Carrier may share
  // an id: the step's own kind tells which one the chain passes.
  if (steps.slice(1).some((s) => s.id === id && s.kind === entity.doc.kind)) return 'subsidiary';
  if (scope !== 'group') return undefined;
  return sameGroup(
    entity.chain,
    steps.map((s) => ({ id: s.id, type: s.type })),
  )
    ? 'affiliate'
    : undefined;
}

function record(
  entity: ListedEntity,
  listing: Listing,
  scope: ListingScope,
  reach: Reach,
  ambiguous: boolean,
): ReachedListing {
  const name: string = entity.doc.value.metadata?.name ?? entity.doc.id;
  const how = reach === 'listed' ? 'listed' : `${ambiguous ? 'possible ' : ''}${reach} of ${name}`;
  const since = listing.since ?? '';
  const on = `on ${listing.list}${since ? ` since ${since}` : ''}`;
  const text =
    reach === 'listed' ? `listed ${on}` : `${how}, ${on} (scope ${scope}${ambiguous ? '; ownership ambiguous' : ''})`;
  return {
    list: listing.list,
    since,
    scope,
    names: listing.names ?? '',
    source: listing.source ?? '',
    url: listing.url ?? '',
    checked: listing.checked ?? entity.doc.value.metadata?.annotations?.checked ?? '',
    listedEntity: entity.doc.id,
    listedEntityName: name,
    listedEntityKind: entity.doc.kind as 'Carrier' | 'Owner',
    reach,
    ambiguous,
    how,
    text,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------
// The registry's own evidence: as-of date and stale facts
// ---------------------------------------------------------------------------------------------------

/** One dated fact of a registry entry: the entry's own `checked` annotation, or a listing's `checked`. */
export interface RegistryFact {
  kind: 'Carrier' | 'Owner';
  id: string;
  name: string;
  /** What the date is for: "entry" (metadata.annotations.checked) or "listing us-fcc-covered-list". */
  fact: string;
  /** The date it was last checked ('' when none is recorded). */
  checked: string;
  file: string;
  line: number;
}

/**
 * The Carrier and Owner entries that came with the tool (`builtin`), or every one of the run with 'all'.
 * An entry the auditor's --registry replaced is the auditor's, not the bundled one.
 */
function bundledEntries(world: World, origin: 'builtin' | 'all'): RegistryEntity[] {
  const docs: RegistryEntity[] = [...sortedById(world.carriers), ...sortedById(world.owners)];
  return origin === 'all' ? docs : docs.filter((d) => d.builtin);
}

/** Every dated fact of the registry's Carrier and Owner entries (an entry without a date gives checked ''). */
export function registryFacts(world: World, origin: 'builtin' | 'all' = 'builtin'): RegistryFact[] {
  const out: RegistryFact[] = [];
  for (const doc of bundledEntries(world, origin)) {
    const at = doc.positions.locate(['metadata', 'id']);
    const base = {
      kind: doc.kind as 'Carrier' | 'Owner',
      id: doc.id,
      name: doc.value.metadata?.name ?? doc.id,
      file: at.file,
    };
    const entryChecked: string = doc.value.metadata?.annotations?.checked ?? '';
    out.push({ ...base, fact: 'entry', checked: entryChecked, line: at.line });
    (doc.value.spec?.listings ?? []).forEach((l: Listing, i: number) => {
      const where = doc.positions.locate(['spec', 'listings', i]);
      out.push({ ...base, fact: `listing ${l.list}`, checked: l.checked ?? entryChecked, line: where.line });
    });
  }
  return out;
}

/**
 * The registry's as-of date: the oldest `checked` date among the bundled Carrier and Owner entries (and
 * their listings), so that "as of" never claims more than the least recently checked fact. '' when no
 * entry records a date. Pass origin 'all' to include the auditor's --registry entries and submissions.
 */
export function registryAsOf(world: World, origin: 'builtin' | 'all' = 'builtin'): string {
  let oldest = '';
  for (const f of registryFacts(world, origin))
    if (f.checked && (oldest === '' || f.checked < oldest)) oldest = f.checked;
  return oldest;
}

/**
 * The registry facts last checked more than `maxAgeMonths` calendar months before `auditDate` (or never):
 * what reports flag against the profile's `maxRegistryAgeMonths` (default 12). A fact checked exactly
 * `maxAgeMonths` months before the audit date is still fresh.
 */
export function staleRegistryFacts(
  world: World,
  auditDate: string,
  maxAgeMonths = 12,
  origin: 'builtin' | 'all' = 'builtin',
): RegistryFact[] {
  const limit = addMonths(auditDate, -maxAgeMonths);
  return registryFacts(world, origin).filter((f) => f.checked === '' || f.checked < limit);
}

/** The calendar date `months` months from `date` (clamped to the month's last day: 2026-03-31 − 1 = 2026-02-28). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.slice(0, 10).split('-').map(Number);
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}
