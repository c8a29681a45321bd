import { existsSync } from 'node:fs';
import {
  type Listing,
  type ReachedListing,
  type RegistryFact,
  controllingChain,
  listingsReaching,
  registryAsOf,
  registryFacts,
} from '../enrich/listings.js';
import { type ChainStep, OwnershipResolver, controllingEdge } from '../enrich/ownership.js';
import type { World } from '../enrich/world.js';
import { canonicalJson } from '../model/baseline.js';
import { nearestName } from '../model/nearest.js';
import { compareText } from '../model/order.js';
import { terminalDiagnostic, terminalText } from '../model/text.js';
import type { Diagnostic, DocPath, LoadedDocument } from '../model/types.js';
import { loadBuiltins, prepareAudit } from '../audit/run-audit.js';

// `ixaudit registry list|show ID|diff --registry FILE|DIR`: the bundled registry of carriers and owners
// with its evidence (spec input-model.md, "facts as evidence"), one entity in full, and what the
// auditor's --registry files change against it. The registry is loaded exactly as an audit loads it
// (prepareAudit without submissions), so `diff` reports the same entries as findings.json's
// run.registryChanges, and the same located errors as `ixaudit validate` would.

/** The per-command help, in the layout of `ixaudit <command> --help` (src/cli/help.ts). */
export const REGISTRY_HELP = `Usage:
  ixaudit registry list [--registry FILE|DIR]... [--json]
  ixaudit registry show <ID> [--registry FILE|DIR]... [--json]
  ixaudit registry diff --registry FILE|DIR... [--json]

The registry of carriers and owners every audit starts from, with its evidence: list every entity
(id, kind, country, listings, the date its facts were last checked) and the registry's as-of date;
show one entity in full (identifiers, ownership and the ultimate controller it resolves to, the
listings it carries or that reach it, each fact's source, URL and checked date); or diff what the
auditor's --registry files add or change against the bundled registry, field by field, at the
file:line of each change. An unconfirmed jurisdiction is shown as "unconfirmed", never as a country.

Options:
  --registry FILE|DIR   the auditor's Carrier and Owner documents that replace or add registry
                        entries (repeatable); list and show include them, diff compares them
                        with the bundled entries
  --json                print machine-readable JSON on stdout instead (keys and entries sorted)
  -h, --help            this help

Examples:
  ixaudit registry list
  ixaudit registry show pccw-global
  ixaudit registry show cmi --json | jq '.reachedBy[].text'
  ixaudit registry diff --registry regulator/registry

Exit codes:
  0  done
  2  an unknown entry (with the nearest id), an error in a --registry file (file:line:column),
     or a usage error
`;

const USAGE =
  'ixaudit: usage: ixaudit registry list | ixaudit registry show <ID> | ixaudit registry diff --registry FILE|DIR\nRun "ixaudit registry --help" for usage.';

const EXIT_OK = 0;
const EXIT_INPUT = 2;

type EntityKind = 'Carrier' | 'Owner';
/** A registry entry: a Carrier or an Owner. */
type Entity = LoadedDocument<'Carrier'> | LoadedDocument<'Owner'>;

/** The facts both kinds may carry, read without caring which kind it is. */
function factsOf(doc: Entity): {
  ownership: Array<{ owner: string; share: number; control?: boolean }>;
  listings: Listing[];
  /** A Carrier's incorporation, an Owner's country: undefined when unconfirmed. */
  jurisdiction: string | undefined;
} {
  const spec = doc.value.spec;
  return {
    ownership: Array.isArray(spec.ownership) ? spec.ownership : [],
    listings: Array.isArray(spec.listings) ? (spec.listings as Listing[]) : [],
    jurisdiction: doc.kind === 'Carrier' ? doc.value.spec.incorporatedIn : doc.value.spec.country,
  };
}

export async function registryCommand(args: string[], options: { registry: string[]; json: boolean }): Promise<number> {
  const [sub, ...rest] = args;
  const usage = (message: string): number => {
    console.error(`ixaudit: ${message}\nRun "ixaudit registry --help" for usage.`);
    return EXIT_INPUT;
  };
  if (sub === undefined) {
    console.error(USAGE);
    return EXIT_INPUT;
  }
  if (sub !== 'list' && sub !== 'show' && sub !== 'diff') {
    const near = nearestName(sub, ['list', 'show', 'diff']);
    return usage(`unknown registry command "${terminalText(sub)}"${near ? ` (did you mean "${near}"?)` : ''}`);
  }
  if (sub === 'show' && rest.length !== 1) return usage('registry show needs exactly one entry id');
  if (sub !== 'show' && rest.length > 0)
    return usage(`registry ${sub} takes no arguments, not "${terminalText(rest[0])}"`);
  if (sub === 'diff' && options.registry.length === 0)
    return usage('registry diff needs --registry FILE|DIR: the auditor registry to compare with the bundled one');
  const missing = options.registry.find((p) => !existsSync(p));
  if (missing !== undefined) return usage(`--registry ${terminalText(missing)}: no such file or folder`);

  const loaded = loadRegistry(options.registry);
  for (const d of loaded.diagnostics) console.error(`error ${terminalDiagnostic(d)}`);
  const failed = loaded.diagnostics.length > 0 ? EXIT_INPUT : EXIT_OK;
  if (sub === 'list') {
    const listing = registryList(loaded.world);
    console.log(options.json ? jsonText(listing) : listText(listing));
    return failed;
  }
  if (sub === 'show') {
    const id = rest[0];
    const entities = registryShow(loaded.world, id);
    if (entities.length === 0) {
      const near = nearestName(id, [...loaded.world.carriers.keys(), ...loaded.world.owners.keys()]);
      console.error(
        `ixaudit: unknown registry entry "${terminalText(id)}"${near ? ` (did you mean "${near}"?)` : ''}: no Carrier or Owner has this id\nRun "ixaudit registry list" for the ids.`,
      );
      return EXIT_INPUT;
    }
    if (options.json) console.log(jsonText(entities.length === 1 ? entities[0] : entities));
    else console.log(entities.map(showText).join('\n\n'));
    return failed;
  }
  const diff = registryDiff(loaded.world);
  console.log(options.json ? jsonText(diff) : diffText(diff));
  return failed;
}

// ---------------------------------------------------------------------------------------------------
// Loading: the audit's own path, without submissions
// ---------------------------------------------------------------------------------------------------

interface LoadedRegistry {
  world: World;
  diagnostics: Diagnostic[];
}

/** The bundled registry plus the auditor's --registry files, loaded and checked as `ixaudit audit` does. */
export function loadRegistry(registryPaths: string[]): LoadedRegistry {
  const prepared = prepareAudit({ paths: [], registryPaths, today: '' });
  return { world: prepared.world, diagnostics: prepared.diagnostics };
}

/** Both kinds, each by id. */
function entities(world: World): Entity[] {
  return [...world.carriers.values(), ...world.owners.values()].sort(
    (a, b) => compareText(a.id, b.id) || compareText(a.kind, b.kind),
  );
}

function at(doc: Entity, path: DocPath = ['metadata', 'id']): string {
  const p = doc.positions.locate(path);
  return `${p.file}:${p.line}:${p.column}`;
}

function origin(doc: Entity): 'bundled' | 'auditor' {
  return doc.builtin ? 'bundled' : 'auditor';
}

function nameOf(doc: Entity): string {
  return doc.value.metadata?.name ?? doc.id;
}

/** The country a list shows: a Carrier's incorporation (and headquarters when it differs), an Owner's country; '' when unconfirmed. */
function countryText(doc: Entity): string {
  if (doc.kind === 'Owner') return doc.value.spec.country ?? '';
  const inc: string = doc.value.spec.incorporatedIn ?? '';
  const hq: string = doc.value.spec.headquarters ?? inc;
  return hq && hq !== inc ? `${inc || 'unconfirmed'}, hq ${hq}` : inc;
}

/** The oldest checked date of an entry's facts (the entry itself and each of its listings); '' when none. */
function factsCheckedOf(facts: RegistryFact[], doc: Entity): string {
  let oldest = '';
  for (const f of facts)
    if (f.kind === doc.kind && f.id === doc.id && f.checked && (oldest === '' || f.checked < oldest))
      oldest = f.checked;
  return oldest;
}

// ---------------------------------------------------------------------------------------------------
// list
// ---------------------------------------------------------------------------------------------------

interface ListEntry {
  id: string;
  kind: EntityKind;
  name: string;
  /** ISO 3166-1 code(s); '' when the jurisdiction is unconfirmed. */
  country: string;
  listings: number;
  /** The oldest checked date among the entry's facts (its own and its listings'). */
  checked: string;
  origin: 'bundled' | 'auditor';
  at: string;
}

interface RegistryListing {
  asOf: string;
  entries: ListEntry[];
}

export function registryList(world: World): RegistryListing {
  const facts = registryFacts(world, 'all');
  const entries = entities(world).map(
    (doc): ListEntry => ({
      id: doc.id,
      kind: doc.kind as EntityKind,
      name: nameOf(doc),
      country: countryText(doc),
      listings: factsOf(doc).listings.length,
      checked: factsCheckedOf(facts, doc),
      origin: origin(doc),
      at: at(doc),
    }),
  );
  return { asOf: registryAsOf(world), entries };
}

function listText(listing: RegistryListing): string {
  const rows = [
    ['ID', 'KIND', 'COUNTRY', 'LISTINGS', 'CHECKED', 'NAME'],
    ...listing.entries.map((e) => [
      e.origin === 'auditor' ? `${e.id} *` : e.id,
      e.kind,
      e.country || 'unconfirmed',
      String(e.listings),
      e.checked || 'never',
      terminalText(e.name),
    ]),
  ];
  const widths = rows[0].slice(0, -1).map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => r.map((cell, i) => (i < widths.length ? cell.padEnd(widths[i]) : cell)).join('  '));
  const bundled = listing.entries.filter((e) => e.origin === 'bundled').length;
  const auditor = listing.entries.length - bundled;
  lines.push('');
  lines.push(
    `registry as of ${listing.asOf || 'unknown (no entry records a checked date)'}: the oldest checked date of the ${bundled} bundled entries and their listings`,
  );
  if (auditor > 0)
    lines.push(
      `* ${auditor} entr${auditor === 1 ? 'y' : 'ies'} from --registry (ixaudit registry diff shows what they change)`,
    );
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------
// show
// ---------------------------------------------------------------------------------------------------

interface Party {
  id: string;
  name: string;
  type: string;
  /** '' when unconfirmed. */
  country: string;
}

interface ShownListing {
  list: string;
  since: string;
  scope: string;
  names: string;
  source: string;
  url: string;
  checked: string;
  at: string;
  /** The carriers of the registry this listing reaches, and how. */
  reaches: Array<{ carrier: string; name: string; reach: string; ambiguous: boolean }>;
}

interface ShownEntity {
  kind: EntityKind;
  id: string;
  name: string;
  origin: 'bundled' | 'auditor';
  at: string;
  /** Carrier: roles, incorporatedIn, headquarters. Owner: type, country. '' where a country is unconfirmed. */
  roles?: string[];
  incorporatedIn?: string;
  headquarters?: string;
  type?: string;
  country?: string;
  /** True when the entry leaves its jurisdiction out; `annotations.jurisdiction` says why. */
  jurisdictionUnconfirmed: boolean;
  /** False when `ownership` is omitted: its owners are not known, and a chain through it does not resolve. */
  ownershipDeclared: boolean;
  identifiers: Record<string, unknown>;
  ownership: Array<{
    owner: string;
    name: string;
    share: number | null;
    control: boolean;
    controlling: boolean;
    at: string;
  }>;
  /** The controlling chain from this entity up (Carriers: as every report resolves it). */
  chain: Array<Party & { kind: string; share: number | null; control: boolean; source: string }>;
  ownershipResolved: boolean;
  ownershipProblem: string;
  controller: Party | null;
  group: Party | null;
  stateControlled: boolean;
  listings: ShownListing[];
  /** Carriers: every listing that reaches it (its own first), as findings name them. */
  reachedBy: Array<{
    list: string;
    since: string;
    scope: string;
    names: string;
    listedEntity: string;
    listedEntityKind: string;
    listedEntityName: string;
    reach: string;
    ambiguous: boolean;
    text: string;
    source: string;
    url: string;
    checked: string;
  }>;
  /** The entry's evidence: source, url, checked, and every other annotation (note, jurisdiction, ...). */
  evidence: { source: string; url: string; checked: string; annotations: Record<string, string> };
  /** The oldest checked date among its facts. */
  asOf: string;
}

function party(step: Pick<ChainStep, 'id' | 'name' | 'type' | 'country'>): Party {
  return { id: step.id, name: step.name, type: step.type, country: step.country ?? '' };
}

/** The entity (or, should an Owner and a Carrier share the id, both) in full; empty when the id is unknown. */
export function registryShow(world: World, id: string): ShownEntity[] {
  const docs = [world.carriers.get(id), world.owners.get(id)].filter((d): d is Entity => d !== undefined);
  if (docs.length === 0) return [];
  const resolver = new OwnershipResolver(world);
  const facts = registryFacts(world, 'all');
  const reachedByCarrier = new Map(
    [...world.carriers.keys()].sort(compareText).map((c) => [c, listingsReaching(world, resolver, c)] as const),
  );
  return docs.map((doc) => shown(world, resolver, facts, reachedByCarrier, doc));
}

function shown(
  world: World,
  resolver: OwnershipResolver,
  facts: RegistryFact[],
  reachedByCarrier: ReadonlyMap<string, ReachedListing[]>,
  doc: Entity,
): ShownEntity {
  const annotations: Record<string, string> = { ...(doc.value.metadata?.annotations ?? {}) };
  const kind = doc.kind;
  const { ownership: edges, listings: written, jurisdiction } = factsOf(doc);
  const controllingIndex = controllingEdge(edges);
  const ownership = edges.map((e, i) => {
    const owner = world.owners.get(e.owner) ?? world.carriers.get(e.owner);
    return {
      owner: e.owner,
      name: owner ? nameOf(owner) : '',
      share: typeof e.share === 'number' ? e.share : null,
      control: e.control === true,
      controlling: i === controllingIndex,
      at: at(doc, ['spec', 'ownership', i]),
    };
  });

  let chain: ShownEntity['chain'];
  let resolution: { resolved: boolean; problem: string; controller: Party | null; group: Party | null; state: boolean };
  if (kind === 'Carrier') {
    const r = resolver.resolve(doc.id);
    chain = r.chain.map((s) => ({
      ...party(s),
      kind: s.kind,
      share: s.share ?? null,
      control: s.control ?? false,
      source: s.source,
    }));
    resolution = {
      resolved: r.resolved,
      problem: r.problem,
      controller: r.resolved ? party(r.controller) : null,
      group: r.resolved ? party(r.group) : null,
      state: r.stateControlled,
    };
  } else {
    // An Owner's controlling chain, by the resolver's rule (listings.ts controllingChain), for reading only.
    const steps = controllingChain(world, doc);
    chain = steps.map((s, i) => {
      const step: Entity = world.owners.get(s.id) ?? world.carriers.get(s.id)!;
      const below: Entity | undefined =
        i === 0 ? undefined : (world.owners.get(steps[i - 1].id) ?? world.carriers.get(steps[i - 1].id));
      const edges = below ? factsOf(below).ownership : [];
      const index = edges.findIndex((e) => e.owner === s.id);
      const edge = index < 0 ? undefined : edges[index];
      const where = below && index >= 0 ? below.positions.locate(['spec', 'ownership', index, 'owner']) : undefined;
      return {
        id: s.id,
        name: nameOf(step),
        type: s.type,
        country: factsOf(step).jurisdiction ?? '',
        kind: step.kind,
        share: i === 0 ? null : (edge?.share ?? null),
        control: edge?.control === true,
        source: where ? `${where.file}:${where.line}` : at(step),
      };
    });
    resolution = { resolved: false, problem: '', controller: null, group: null, state: false };
  }

  const listings: ShownListing[] = written.map((l, i) => ({
    list: l.list,
    since: l.since ?? '',
    scope: l.scope ?? 'entity',
    names: l.names ?? '',
    source: l.source ?? '',
    url: l.url ?? '',
    checked: l.checked ?? annotations.checked ?? '',
    at: at(doc, ['spec', 'listings', i]),
    reaches: [...reachedByCarrier].flatMap(([carrier, reached]) =>
      reached
        .filter(
          (r) =>
            r.listedEntity === doc.id &&
            r.listedEntityKind === kind &&
            r.list === l.list &&
            r.since === (l.since ?? ''),
        )
        .map((r) => ({ carrier, name: nameOf(world.carriers.get(carrier)!), reach: r.reach, ambiguous: r.ambiguous })),
    ),
  }));

  const reachedBy =
    kind === 'Carrier'
      ? (reachedByCarrier.get(doc.id) ?? []).map((r) => ({
          list: r.list,
          since: r.since,
          scope: r.scope,
          names: r.names,
          listedEntity: r.listedEntity,
          listedEntityKind: r.listedEntityKind,
          listedEntityName: r.listedEntityName,
          reach: r.reach,
          ambiguous: r.ambiguous,
          text: r.text,
          source: r.source,
          url: r.url,
          checked: r.checked,
        }))
      : [];

  const { source = '', url = '', checked = '', ...others } = annotations;
  return {
    kind,
    id: doc.id,
    name: nameOf(doc),
    origin: origin(doc),
    at: at(doc),
    ...(doc.kind === 'Carrier'
      ? {
          roles: doc.value.spec.roles ?? [],
          incorporatedIn: doc.value.spec.incorporatedIn ?? '',
          headquarters: doc.value.spec.headquarters ?? doc.value.spec.incorporatedIn ?? '',
        }
      : { type: doc.value.spec.type ?? '', country: doc.value.spec.country ?? '' }),
    jurisdictionUnconfirmed: jurisdiction === undefined,
    ownershipDeclared: Array.isArray(doc.value.spec.ownership),
    identifiers: doc.kind === 'Carrier' ? { ...(doc.value.spec.identifiers ?? {}) } : {},
    ownership,
    chain,
    ownershipResolved: resolution.resolved,
    ownershipProblem: resolution.problem,
    controller: resolution.controller,
    group: resolution.group,
    stateControlled: resolution.state,
    listings,
    reachedBy,
    evidence: { source, url, checked, annotations: others },
    asOf: factsCheckedOf(facts, doc),
  };
}

/** "HK", or "unconfirmed" for a jurisdiction the entry leaves out. */
function country(code: string | undefined): string {
  return code ? code : 'unconfirmed';
}

function stepText(s: ShownEntity['chain'][number], first: boolean): string {
  if (first) return `${s.name} (${country(s.country)})`;
  const held = s.control ? 'control' : s.share === null ? 'share unknown' : `${s.share} %`;
  return `${s.name} (${country(s.country)}, ${s.type}, ${held})`;
}

function showText(e: ShownEntity): string {
  const lines: string[] = [];
  const t = terminalText;
  const field = (label: string, value: string) => lines.push(`  ${label.padEnd(16)} ${value}`);
  const more = (value: string) => lines.push(`  ${''.padEnd(16)} ${value}`);
  lines.push(`${e.kind} ${e.id}: ${t(e.name)}${e.origin === 'auditor' ? ' (from --registry)' : ''}`);
  field('defined at', t(e.at));
  if (e.kind === 'Carrier') {
    field('roles', e.roles && e.roles.length > 0 ? e.roles.join(', ') : 'none recorded');
    field('incorporated in', country(e.incorporatedIn));
    field('headquarters', country(e.headquarters));
  } else {
    field('type', e.type ?? '');
    field('country', country(e.country));
  }
  if (e.jurisdictionUnconfirmed)
    more(`(jurisdiction unconfirmed${e.evidence.annotations.jurisdiction ? ': see the jurisdiction note below' : ''})`);
  const ids = Object.entries(e.identifiers)
    .sort(([a], [b]) => compareText(a, b))
    .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(', ') : String(v)}`);
  // An Owner has no identifiers: only a Carrier shows up in routing data.
  if (ids.length === 0 && e.kind === 'Carrier') field('identifiers', 'none recorded');
  ids.forEach((line, i) => {
    if (i === 0) field('identifiers', t(line));
    else more(t(line));
  });
  if (e.ownership.length === 0)
    field('ownership', e.ownershipDeclared ? 'none: the chain ends here' : 'not known (ownership omitted)');
  e.ownership.forEach((o, i) => {
    const held = o.control ? `${o.share ?? '?'} %, control: true` : `${o.share ?? '?'} %`;
    const text = `${o.owner}${o.name ? ` (${t(o.name)})` : ' (not defined)'} ${held}${o.controlling ? ' [controlling]' : ''}`;
    if (i === 0) field('ownership', text);
    else more(text);
  });
  if (e.kind === 'Carrier') {
    if (e.controller) {
      field(
        'controller',
        `${e.controller.id} (${t(e.controller.name)}), ${e.controller.type}, ${country(e.controller.country)}${e.stateControlled ? ' [state-controlled]' : ''}`,
      );
      field('operating group', `${e.group!.id} (${t(e.group!.name)})`);
    } else field('controller', `not resolved: ${t(e.ownershipProblem)}`);
  }
  e.chain.forEach((s, i) => {
    const text = `${i === 0 ? '' : '→ '}${t(stepText(s, i === 0))}`;
    if (i === 0) field('chain', text);
    else more(`${text}  ${t(s.source)}`);
  });
  if (e.listings.length === 0) field('listings', 'none of its own');
  e.listings.forEach((l, i) => {
    const head = `${l.list}${l.since ? ` since ${l.since}` : ''}, scope ${l.scope}  ${t(l.at)}`;
    if (i === 0) field('listings', head);
    else more(head);
    more(`  names    ${t(l.names || '(not recorded)')}`);
    more(`  source   ${t(l.source || '(not recorded)')}`);
    more(`  url      ${t(l.url || '(none)')}`);
    more(`  checked  ${l.checked || 'never'}`);
    more(
      `  reaches  ${l.reaches.length === 0 ? 'no carrier of the registry' : l.reaches.map((r) => `${r.carrier} (${r.ambiguous ? 'possible ' : ''}${r.reach})`).join(', ')}`,
    );
  });
  if (e.kind === 'Carrier') {
    const reached = e.reachedBy.filter((r) => r.reach !== 'listed');
    if (reached.length === 0) field('reached by', 'no listing of another entity');
    reached.forEach((r, i) => {
      const head = `${r.list}${r.since ? ` since ${r.since}` : ''}: ${r.ambiguous ? 'possible ' : ''}${r.reach} of ${t(r.listedEntityName)} (${r.listedEntity}, scope ${r.scope})`;
      if (i === 0) field('reached by', head);
      else more(head);
      more(`  names    ${t(r.names || '(not recorded)')}`);
      more(`  source   ${t(r.source || '(not recorded)')}`);
      more(`  url      ${t(r.url || '(none)')}`);
      more(`  checked  ${r.checked || 'never'}`);
    });
  }
  lines.push('  evidence (ownership, incorporation, identifiers)');
  field('  source', t(e.evidence.source || '(not recorded)'));
  field('  url', t(e.evidence.url || '(none)'));
  field('  checked', e.evidence.checked || 'never');
  for (const [k, v] of Object.entries(e.evidence.annotations).sort(([a], [b]) => compareText(a, b)))
    field(`  ${k}`, t(String(v)));
  field('facts as of', e.asOf || 'never checked');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------
// diff
// ---------------------------------------------------------------------------------------------------

interface FieldChange {
  /** `spec.ownership[sepi].share`: list items of ownership, listings and certifications by their key. */
  path: string;
  /** The value in the bundled entry, and in the auditor's; null where the field is absent. */
  before: unknown;
  after: unknown;
  /** Where the change is in the auditor's file (a removed field: its closest existing parent). */
  at: string;
  /** Where the bundled value is (its closest existing parent for an added field). */
  bundledAt: string;
}

interface EntryChange {
  kind: EntityKind;
  id: string;
  name: string;
  change: 'added' | 'replaced';
  /** The auditor's document: file:line:column. */
  at: string;
  /** The bundled entry it replaces ('' for an addition). */
  replaces: string;
  /** Replaced entries: every field that differs. Added entries: none (the whole entry is new). */
  fields: FieldChange[];
  /** Added entries: what the new entity is (country '' when unconfirmed). */
  summary?: { country: string; ownership: string[]; ownershipDeclared: boolean; listings: string[] };
}

interface RegistryDiff {
  /** The bundled registry's as-of date. */
  asOf: string;
  added: number;
  replaced: number;
  changes: EntryChange[];
}

/**
 * What the auditor's --registry files change against the bundled registry: the entries of
 * world.registryChanges (the very list findings.json reports as run.registryChanges), each replaced one
 * compared field by field with the bundled entry it replaces.
 */
export function registryDiff(world: World): RegistryDiff {
  const bundled = new Map<string, Entity>();
  for (const doc of loadBundled()) bundled.set(`${doc.kind}/${doc.id}`, doc);
  const changes = world.registryChanges
    .map((change): EntryChange => {
      const doc = (change.kind === 'Carrier' ? world.carriers : world.owners).get(change.id)!;
      const before = bundled.get(`${change.kind}/${change.id}`);
      const base = {
        kind: change.kind,
        id: change.id,
        name: nameOf(doc),
        change: change.change,
        at: change.at,
        replaces: change.replaces,
      };
      if (change.change === 'added' || !before) {
        const facts = factsOf(doc);
        return {
          ...base,
          fields: [],
          summary: {
            country: countryText(doc),
            ownership: facts.ownership.map((e) => `${e.owner} ${e.share} %${e.control ? ' (control)' : ''}`),
            ownershipDeclared: Array.isArray(doc.value.spec.ownership),
            listings: facts.listings.map(
              (l) => `${l.list}${l.since ? ` since ${l.since}` : ''} (${l.scope ?? 'entity'})`,
            ),
          },
        };
      }
      return { ...base, fields: fieldChanges(before, doc) };
    })
    .sort((a, b) => compareText(a.id, b.id) || compareText(a.kind, b.kind));
  return {
    asOf: registryAsOf(world),
    added: changes.filter((c) => c.change === 'added').length,
    replaced: changes.filter((c) => c.change === 'replaced').length,
    changes,
  };
}

/** The bundled Carrier and Owner entries as shipped (the world holds the auditor's in their place). */
function loadBundled(): Entity[] {
  return loadBuiltins().documents.filter((d): d is Entity => d.kind === 'Carrier' || d.kind === 'Owner');
}

/** List items are matched by these keys where every item has a distinct one, else by position. */
const ITEM_KEYS: Record<string, string> = { ownership: 'owner', listings: 'list', certifications: 'scheme' };

function fieldChanges(before: Entity, after: Entity): FieldChange[] {
  const out: FieldChange[] = [];
  const where = (doc: Entity, path: DocPath) => at(doc, path);
  const walk = (a: unknown, b: unknown, label: string, pathA: DocPath, pathB: DocPath): void => {
    if (sameValue(a, b)) return;
    if (isMap(a) && isMap(b)) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
      for (const k of keys) {
        if (label === '' && (k === 'apiVersion' || k === 'kind')) continue;
        if (label === 'metadata' && k === 'id') continue;
        walk(a[k], b[k], label ? `${label}.${k}` : k, [...pathA, k], [...pathB, k]);
      }
      return;
    }
    if (Array.isArray(a) && Array.isArray(b) && [...a, ...b].some(isMap)) {
      const key = ITEM_KEYS[String(pathB[pathB.length - 1])];
      const keyed = key !== undefined && distinctKeys(a, key) && distinctKeys(b, key);
      const name = (item: unknown, i: number) => (keyed ? String((item as Record<string, unknown>)[key]) : String(i));
      const indexA = new Map(a.map((item, i) => [name(item, i), i]));
      const indexB = new Map(b.map((item, i) => [name(item, i), i]));
      for (const k of [...new Set([...indexA.keys(), ...indexB.keys()])]) {
        const i = indexA.get(k);
        const j = indexB.get(k);
        walk(
          i === undefined ? undefined : a[i],
          j === undefined ? undefined : b[j],
          `${label}[${k}]`,
          i === undefined ? pathA : [...pathA, i],
          j === undefined ? pathB : [...pathB, j],
        );
      }
      return;
    }
    out.push({
      path: label,
      before: a === undefined ? null : a,
      after: b === undefined ? null : b,
      at: where(after, pathB),
      bundledAt: where(before, pathA),
    });
  };
  walk(before.value, after.value, '', [], []);
  return out.sort((x, y) => comparePaths(x.path, y.path));
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function distinctKeys(items: unknown[], key: string): boolean {
  const seen = new Set<string>();
  for (const item of items) {
    const v = isMap(item) ? item[key] : undefined;
    if (typeof v !== 'string' || seen.has(v)) return false;
    seen.add(v);
  }
  return true;
}

/** Equal whatever the order of keys; a missing value equals null, as the registry's YAML means it. */
function sameValue(a: unknown, b: unknown): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
}

/** Dotted paths in order, list positions numerically: `x[2]` before `x[10]`. */
function comparePaths(a: string, b: string): number {
  const split = (p: string) => p.split(/[.[\]]+/).filter(Boolean);
  const pa = split(a);
  const pb = split(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    const na = /^\d+$/.test(pa[i]) ? Number(pa[i]) : Number.NaN;
    const nb = /^\d+$/.test(pb[i]) ? Number(pb[i]) : Number.NaN;
    if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
    return compareText(pa[i], pb[i]);
  }
  return pa.length - pb.length;
}

function valueText(v: unknown): string {
  if (v === null || v === undefined) return '(none)';
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(canonicalValue(v));
}

function diffText(diff: RegistryDiff): string {
  const t = terminalText;
  const lines: string[] = [];
  for (const c of diff.changes) {
    if (c.change === 'added') {
      lines.push(`+ ${c.kind} ${c.id}: ${t(c.name)}  added at ${t(c.at)}`);
      const s = c.summary!;
      lines.push(
        `    country ${s.country || 'unconfirmed'}; owners ${s.ownership.length > 0 ? s.ownership.join(', ') : s.ownershipDeclared ? 'none (the chain ends here)' : 'not known'}`,
      );
      if (s.listings.length > 0) lines.push(`    listings ${s.listings.join(', ')}`);
      continue;
    }
    lines.push(`~ ${c.kind} ${c.id}: ${t(c.name)}  replaced at ${t(c.at)} (bundled ${t(c.replaces)})`);
    if (c.fields.length === 0) lines.push('    identical to the bundled entry');
    for (const f of c.fields)
      lines.push(`    ${t(f.path)}: ${t(valueText(f.before))} → ${t(valueText(f.after))}  ${t(f.at)}`);
  }
  if (lines.length > 0) lines.push('');
  const fields = diff.changes.reduce((n, c) => n + c.fields.length, 0);
  lines.push(
    diff.changes.length === 0
      ? `no change: the --registry files define no Carrier or Owner (bundled registry as of ${diff.asOf})`
      : `${diff.changes.length} entr${diff.changes.length === 1 ? 'y' : 'ies'} changed against the bundled registry (as of ${diff.asOf}): ${diff.added} added, ${diff.replaced} replaced (${fields} field${fields === 1 ? '' : 's'} changed)`,
  );
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------
// JSON: keys sorted at every level, so equal registries give equal bytes
// ---------------------------------------------------------------------------------------------------

function canonicalValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalValue);
  if (isMap(value))
    return Object.fromEntries(
      Object.keys(value)
        .sort(compareText)
        .filter((k) => value[k] !== undefined)
        .map((k) => [k, canonicalValue(value[k])]),
    );
  return value;
}

function jsonText(value: unknown): string {
  return JSON.stringify(canonicalValue(value), null, 2);
}
