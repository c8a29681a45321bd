import type { FirewallPolicySpec } from '../model/generated/firewall-policy.js';
import type { AgreementClauses, AgreementService, SignedDocument } from '../model/generated/interconnect-agreement.js';
import type { Route, RouteMatch, RouteStatus } from '../model/generated/routing-table.js';
import type { DocPath, LoadedDocument, Protocol } from '../model/types.js';
import { docPathOf, PROTOCOLS, SIGNALLING_PROTOCOLS } from '../model/types.js';
import { compareText } from '../model/order.js';
import { chainMarks, chainText, type OwnershipResolution, type OwnershipResolver } from './ownership.js';
import { listingsReaching, type ReachedListing } from './listings.js';
import type { EffectiveProfile } from './profile.js';
import type { SubmissionDocs, World } from './world.js';

/** Findings about a whole document point at its `metadata.id` line. */
export const ID_PATH: DocPath = ['metadata', 'id'];

/**
 * What the engine reads of any subject's view before a control's expressions see it (evaluateControl):
 * the control's protocol and status filters, and the carriers that make it impossible to judge.
 */
export interface SubjectView {
  protocol?: Protocol;
  status?: RouteStatus;
  undefinedCarriers?: readonly string[];
}

/** Something a control can judge: where it is written, how findings name it, and the data CEL sees. */
export interface Subject<V extends SubjectView = SubjectView> {
  ref: string;
  doc: LoadedDocument;
  path: DocPath;
  value: V;
  /**
   * Routes only: routes with the same shape number have the same view except for the fields that
   * identify them (id, table, match, trafficShare, at), so a control that reads none of those judges
   * the shape once.
   */
  shape?: number;
}

/**
 * A carrier on a route as controls see it. `at` is the path of the field that names it, relative to the
 * route item (`primary.carrier`, `backups.0.carrier`, `transit.1`), so routes of one shape share hops;
 * the engine reads a location that does not start at `spec` or `metadata` relative to the subject.
 */
export interface HopView {
  carrier: string;
  name: string;
  role: string;
  position: string;
  at: string;
  known: boolean;
  roles: string[];
  ownershipResolved: boolean;
  destinationNetwork: boolean;
  highRisk: boolean;
  riskReasons: string[];
  controller: string;
  controllerName: string;
  controllerCountry: string;
  /** The operating group (topmost non-government entity of the chain): what RES-01/RES-02 and unavoidable exposure compare. */
  group: string;
  groupName: string;
  chainText: string;
  country: string;
  foreign: boolean;
  unavoidable: boolean;
}

/** The part of a route's view shared by every route of its shape. */
interface RouteShapeView extends SubjectView {
  signalling: boolean;
  status: RouteStatus;
  destination: { country: string; plmn: string };
  domestic: boolean;
  hasTrafficShare: boolean;
  encryption: string;
  firewall: string;
  firewallExists: boolean;
  firewallMode: string;
  primary: HopView;
  backups: HopView[];
  transit: HopView[];
  nextHops: HopView[];
  hops: HopView[];
  highRiskHops: HopView[];
  unavoidable: boolean;
  undefinedCarriers: string[];
  destinationController: string;
  /** Operating group of the carrier whose identifiers.plmns holds the destination PLMN ('' when none, or its ownership does not resolve). */
  destinationGroup: string;
}

/** A route as controls see it (`route`): its shape's view and what identifies it. */
export interface RouteView extends RouteShapeView {
  id: string;
  table: string;
  protocol: Protocol;
  match: RouteMatch;
  /** 0 when the route gives none (hasTrafficShare says which). */
  trafficShare: number;
  /** The route's item in its table: `spec.routes.<index>`. */
  at: string;
}

/** A routing table as controls see it (`table`). */
export interface RoutingTableView extends SubjectView {
  id: string;
  protocol: Protocol;
  exportedAt: string;
  exportedOn: string;
  exportAgeDays: number | null;
  source: string;
  routeCount: number;
}

/** An agreement as controls see it (`agreement`), its counterparty resolved. */
export interface AgreementView extends SubjectView {
  id: string;
  counterparty: CarrierView;
  undefinedCarriers: string[];
  services: AgreementService[];
  signed: string;
  expires: string;
  /** In force on the audit date. */
  current: boolean;
  governingLaw: string;
  clauses: AgreementClauses;
  documents: SignedDocument[];
  documentRefs: Array<{ path: string; sha256: string; at: string }>;
}

/** A FirewallPolicy as controls see it (`firewall`): its spec as written, and its id. */
export interface FirewallView extends FirewallPolicySpec, SubjectView {
  id: string;
}

/** A contract the operator holds with a carrier, as `operator.contracts[carrier]` lists it. */
export interface Contract {
  id: string;
  services: string[];
  current: boolean;
  approvedSubcontractors: string[];
}

/** Operator-wide facts every control may read as `operator`. */
export interface OperatorView extends SubjectView {
  id: string;
  name: string;
  country: string;
  networks: string[];
  plmns: string[];
  signallingProtocols: Protocol[];
  firewallCount: number;
  tableCount: number;
  agreementCount: number;
  contracts: Map<string, Contract[]>;
}

/** A carrier as controls see it: ownership resolved, risk derived from the profile, with the reasons. */
export interface CarrierView {
  id: string;
  name: string;
  known: boolean;
  roles: string[];
  incorporatedIn: string;
  headquarters: string;
  ownershipResolved: boolean;
  ownershipProblem: string;
  controller: { id: string; name: string; type: string; country: string };
  /** The operating group: the topmost entity of the controlling chain that is not a government. */
  group: { id: string; name: string; type: string; country: string };
  stateControlled: boolean;
  /**
   * When an entity on the chain has inconsistent holdings: where each owner that could control it leads
   * (the carrier is judged high-risk if any of them would make it so). Empty otherwise.
   */
  ownershipCandidates: Array<{
    controller: { id: string; name: string; type: string; country: string };
    group: { id: string; name: string; type: string; country: string };
    chainText: string;
  }>;
  /** From the carrier itself (share null) up to the controller; share is what each holds in the step before. */
  chain: Array<{
    id: string;
    name: string;
    type: string;
    country: string;
    share: number | null;
    control: boolean;
    source: string;
  }>;
  chainText: string;
  /** Every list a listing that reaches the carrier is on (its own, its controllers' and its affiliates'; see listings.ts). */
  listings: string[];
  /**
   * Every listing that reaches the carrier, with the entity the regulator names, when and where it was
   * published, and how it reached (evidence for ICX-OWN-03): most direct first.
   */
  listingRecords: ReachedListing[];
  /** The lists of `listings` that the profile's highRiskListings counts. */
  highRiskListings: string[];
  /** One sentence per counted listing: "affiliate of X, on us-fcc-covered-list since 2022-03-25 (scope group)". */
  highRiskListingReasons: string[];
  highRisk: boolean;
  riskReasons: string[];
  plmns: string[];
  certifications: Array<{ scheme: string; expires: string }>;
}

/** A carrier used in routes or agreements as controls see it (`carrier`). */
export interface CarrierSubjectView extends CarrierView, SubjectView {
  /** The agreements the operator holds with it, by id. */
  agreements: string[];
  undefinedCarriers: string[];
}

export interface Submission {
  operatorId: string;
  operatorDoc: LoadedDocument<'Operator'>;
  operator: OperatorView;
  carriers: Subject<CarrierSubjectView>[];
  agreements: Subject<AgreementView>[];
  tables: Subject<RoutingTableView>[];
  routes: Subject<RouteView>[];
  firewalls: Subject<FirewallView>[];
  waivers: LoadedDocument<'Waiver'>[];
}

export function carrierView(
  world: World,
  resolver: OwnershipResolver,
  profile: EffectiveProfile,
  id: string,
): CarrierView {
  const doc = world.carriers.get(id);
  const ownership = resolver.resolve(id);
  const jurisdictions = new Set(profile.parameters.highRiskJurisdictions ?? []);
  const flaggedLists = new Set(profile.parameters.highRiskListings ?? []);
  const spec = doc?.value.spec ?? {};
  const listingRecords = listingsReaching(world, resolver, id);
  const listings: string[] = [...new Set(listingRecords.map((l) => l.list))];
  const highRiskListings = listings.filter((l) => flaggedLists.has(l));
  const highRiskListingReasons = listingRecords.filter((l) => flaggedLists.has(l.list)).map((l) => l.text);
  const controller = ownership.controller;

  const reasons: string[] = [];
  if (ownership.resolved && jurisdictions.has(controller.country) && controller.id !== id) {
    reasons.push(`ultimate controller ${controller.name} (${controller.type}) is in ${controller.country}`);
  }
  for (const reason of candidateRiskReasons(ownership, jurisdictions, id)) reasons.push(reason);
  if (spec.incorporatedIn && jurisdictions.has(spec.incorporatedIn))
    reasons.push(`incorporated in ${spec.incorporatedIn}`);
  if (spec.headquarters && jurisdictions.has(spec.headquarters)) reasons.push(`headquartered in ${spec.headquarters}`);
  for (const reason of highRiskListingReasons) reasons.push(reason);

  return {
    id,
    name: doc?.value.metadata.name ?? id,
    known: doc !== undefined,
    roles: spec.roles ?? [],
    incorporatedIn: spec.incorporatedIn ?? '',
    headquarters: spec.headquarters ?? spec.incorporatedIn ?? '',
    ownershipResolved: ownership.resolved,
    ownershipProblem: ownership.problem,
    controller: party(controller),
    group: party(ownership.group),
    stateControlled: ownership.stateControlled,
    ownershipCandidates: ownership.candidates.map((c) => ({
      controller: party(c.controller),
      group: party(c.group),
      chainText: chainText(c.chain, chainMarks(c)),
    })),
    chain: ownership.chain.map((s) => ({
      id: s.id,
      name: s.name,
      type: s.type,
      country: s.country,
      share: s.share ?? null,
      control: s.control ?? false,
      source: s.source,
    })),
    chainText: chainText(ownership.chain, chainMarks(ownership)),
    listings,
    listingRecords,
    highRiskListings,
    highRiskListingReasons,
    highRisk: reasons.length > 0,
    riskReasons: reasons,
    plmns: spec.identifiers?.plmns ?? [],
    certifications: spec.certifications ?? [],
  };
}

function party(step: { id: string; name: string; type: string; country: string }): {
  id: string;
  name: string;
  type: string;
  country: string;
} {
  return { id: step.id, name: step.name, type: step.type, country: step.country };
}

/**
 * High-risk-conservative reading of an ambiguous chain: when an entity's holdings are inconsistent, every
 * candidate controlling owner whose chain ends at a controller in a high-risk jurisdiction makes the
 * carrier high-risk, so a benign owner listed first cannot hide a state owner listed second.
 */
function candidateRiskReasons(
  ownership: OwnershipResolution,
  jurisdictions: ReadonlySet<string>,
  carrierId: string,
): string[] {
  const reasons = new Set<string>();
  for (const c of ownership.candidates) {
    if (c.controller.id === carrierId || !jurisdictions.has(c.controller.country)) continue;
    reasons.add(
      `possible ultimate controller ${c.controller.name} (${c.controller.type}) is in ${c.controller.country} (ownership ambiguous: ${ownership.problem})`,
    );
  }
  return [...reasons];
}

/** Builds everything the controls read for one operator. Pure: same documents and profile, same result. */
export function buildSubmission(
  world: World,
  resolver: OwnershipResolver,
  profile: EffectiveProfile,
  operatorDoc: LoadedDocument<'Operator'>,
  docs: SubmissionDocs,
): Submission {
  const auditDate = profile.auditDate;
  const carrierCache = new Map<string, CarrierView>();
  const carrier = (id: string): CarrierView => {
    let view = carrierCache.get(id);
    if (!view) carrierCache.set(id, (view = carrierView(world, resolver, profile, id)));
    return view;
  };
  const opSpec = operatorDoc.value.spec;
  const networks: string[] = opSpec.networks;
  const operator = {
    id: operatorDoc.id,
    name: operatorDoc.value.metadata.name ?? operatorDoc.id,
    country: opSpec.country,
    networks,
    plmns: opSpec.plmns ?? [],
    signallingProtocols: protocolsOfNetworks(networks),
    firewallCount: docs.firewalls.length,
    tableCount: docs.tables.length,
    agreementCount: docs.agreements.length,
  };

  // Agreements, and per carrier the contracts the operator holds with it (for RT-05 / RT-08).
  const agreements: Subject<AgreementView>[] = docs.agreements.map((doc) => {
    const spec = doc.value.spec;
    const current = spec.signed <= auditDate && (spec.expires === undefined || auditDate <= spec.expires);
    return {
      ref: `InterconnectAgreement/${doc.id}`,
      doc,
      path: ID_PATH,
      value: {
        id: doc.id,
        counterparty: carrier(spec.counterparty),
        undefinedCarriers: carrier(spec.counterparty).known ? [] : [spec.counterparty],
        services: spec.services,
        signed: spec.signed,
        expires: spec.expires ?? '',
        current,
        governingLaw: spec.governingLaw ?? '',
        clauses: spec.clauses ?? {},
        documents: spec.documents ?? [],
        // Each signed document with where it is written, for findings that point at one (ICX-CT-10).
        documentRefs: (spec.documents ?? []).map((d, i) => ({
          path: d.path,
          sha256: d.sha256 ?? '',
          at: `spec.documents.${i}`,
        })),
      },
    };
  });
  // Keyed by carrier id, which the submission chooses: a Map, because an object with a key such as
  // `constructor` breaks both `??=` on a plain object and cel-js's type detection (it reads v.constructor).
  // cel-js reads a Map like a CEL map (`id in operator.contracts`, `operator.contracts[id]`).
  const contracts = new Map<string, Contract[]>();
  for (const a of agreements) {
    const id = a.value.counterparty.id;
    let list = contracts.get(id);
    if (!list) contracts.set(id, (list = []));
    list.push({
      id: a.value.id,
      services: a.value.services,
      current: a.value.current,
      approvedSubcontractors: a.value.clauses.subcontracting?.approved ?? [],
    });
  }

  const agreementsWith = (id: string): string[] => (contracts.get(id) ?? []).map((a) => a.id).sort(compareText);

  // Per firewall policy, how it protects each protocol (ICX-FW-08): a route names its policy by id.
  const firewallModes = new Map(docs.firewalls.map((doc) => [doc.id, protectionModes(doc.value.spec)]));

  const usedBy = new Map<string, { doc: LoadedDocument; path: DocPath }>();
  const noteUse = (id: string, doc: LoadedDocument, path: DocPath) => {
    if (!usedBy.has(id)) usedBy.set(id, { doc, path });
  };
  for (const a of agreements) noteUse(a.value.counterparty.id, a.doc, ['spec', 'counterparty']);

  // Per PLMN, who operates it: its carrier's ultimate controller and operating group. A carrier whose
  // ownership does not resolve has no known group, so no exposure is excused on its account.
  const destinationControllers = new Map<string, string>();
  const destinationGroups = new Map<string, string>();
  for (const doc of world.carriers.values()) {
    for (const plmn of doc.value.spec.identifiers?.plmns ?? []) {
      if (destinationControllers.has(plmn)) continue;
      const resolution = resolver.resolve(doc.id);
      destinationControllers.set(plmn, resolution.controller.id);
      destinationGroups.set(plmn, resolution.resolved ? resolution.group.id : '');
    }
  }

  /**
   * What a route's view derives from its protocol, status, destination, carriers, encryption and firewall:
   * built once per distinct combination (its shape) and shared, frozen, by every route of that shape. The
   * bench's million-route table, which mixes carriers at random, has 42,385 shapes, so hops, risk and
   * chains are worked out that many times, not a million, and controls judge shapes (see evaluateControl).
   */
  const routeShape = (route: Route, protocol: Protocol): RouteShapeView => {
    const destinationPlmn = route.destination.plmn ?? '';
    const hop = (id: string, role: string, position: string, at: string): HopView => {
      const view = carrier(id);
      return {
        carrier: id,
        name: view.name,
        role,
        position,
        at,
        known: view.known,
        roles: view.roles,
        ownershipResolved: view.ownershipResolved,
        destinationNetwork: destinationPlmn !== '' && view.plmns.includes(destinationPlmn),
        highRisk: view.highRisk,
        riskReasons: view.riskReasons,
        controller: view.controller.id,
        controllerName: view.controller.name,
        controllerCountry: view.controller.country,
        group: view.group.id,
        groupName: view.group.name,
        chainText: view.chainText,
        country: view.incorporatedIn,
        foreign: view.incorporatedIn !== operator.country,
        unavoidable: false,
      };
    };
    const primary = hop(route.primary.carrier, 'primary', 'primary', 'primary.carrier');
    const backups = (route.backups ?? []).map((b, i) =>
      hop(b.carrier, 'backup', `backup ${i + 1}`, `backups.${i}.carrier`),
    );
    const transit = (route.transit ?? []).map((id, i) => hop(id, 'transit', `transit ${i + 1}`, `transit.${i}`));
    const hops: HopView[] = [primary, ...backups, ...transit];

    // Unavoidable exposure: every high-risk carrier on the route belongs to the operating group of the
    // destination network (controls.md). The group, not the ultimate controller: China Telecom on a route
    // to China Mobile's 460-00 could be avoided although SASAC controls both.
    const destinationController = route.destination.plmn
      ? (destinationControllers.get(route.destination.plmn) ?? '')
      : '';
    const destinationGroup = route.destination.plmn ? (destinationGroups.get(route.destination.plmn) ?? '') : '';
    const highRiskHops = hops.filter((h) => h.highRisk);
    const unavoidable = highRiskHops.length > 0 && highRiskHops.every((h) => inDestinationGroup(h, destinationGroup));
    if (unavoidable) for (const h of highRiskHops) h.unavoidable = true;

    return deepFreeze({
      signalling: SIGNALLING_PROTOCOLS.includes(protocol),
      status: route.status,
      destination: { country: route.destination.country, plmn: destinationPlmn },
      domestic: route.destination.country === operator.country,
      hasTrafficShare: route.trafficShare !== undefined,
      encryption: route.encryption ?? '',
      firewall: route.firewall ?? '',
      firewallExists: route.firewall !== undefined && firewallModes.has(route.firewall),
      firewallMode: route.firewall !== undefined ? (firewallModes.get(route.firewall)?.[protocol] ?? '') : '',
      primary,
      backups,
      transit,
      nextHops: [primary, ...backups],
      hops,
      highRiskHops,
      unavoidable,
      undefinedCarriers: [...new Set(hops.filter((h) => !h.known).map((h) => h.carrier))],
      destinationController,
      destinationGroup,
    });
  };
  const shapes = new Map<string, { id: number; view: RouteShapeView }>();

  const tables: Subject<RoutingTableView>[] = [];
  const routes: Subject<RouteView>[] = [];
  for (const doc of docs.tables) {
    const spec = doc.value.spec;
    const protocol = spec.protocol;
    tables.push({
      ref: `RoutingTable/${doc.id}`,
      doc,
      path: ID_PATH,
      value: {
        id: doc.id,
        protocol,
        exportedAt: spec.exportedAt ?? '',
        exportedOn: spec.exportedAt ? utcDate(spec.exportedAt) : '',
        exportAgeDays:
          spec.exportedAt && utcDate(spec.exportedAt) ? daysBetween(utcDate(spec.exportedAt), auditDate) : null,
        source: spec.source ?? '',
        routeCount: spec.routes.length,
      },
    });
    spec.routes.forEach((route, index) => {
      const base = ['spec', 'routes', index];
      const key = shapeKey(protocol, route);
      let shape = shapes.get(key);
      if (!shape) {
        shape = { id: shapes.size, view: routeShape(route, protocol) };
        shapes.set(key, shape);
        // A carrier's first use is always the first route of some shape: only new shapes need noting.
        for (const hop of shape.view.hops) noteUse(hop.carrier, doc, [...base, ...docPathOf(hop.at)]);
      }
      const d = shape.view;
      routes.push({
        ref: `RoutingTable/${doc.id}#${route.id}`,
        doc,
        path: base,
        shape: shape.id,
        value: {
          id: route.id,
          table: doc.id,
          protocol,
          signalling: d.signalling,
          status: d.status,
          match: route.match,
          destination: d.destination,
          domestic: d.domestic,
          hasTrafficShare: d.hasTrafficShare,
          trafficShare: route.trafficShare ?? 0,
          encryption: d.encryption,
          firewall: d.firewall,
          firewallExists: d.firewallExists,
          firewallMode: d.firewallMode,
          primary: d.primary,
          backups: d.backups,
          transit: d.transit,
          nextHops: d.nextHops,
          hops: d.hops,
          highRiskHops: d.highRiskHops,
          unavoidable: d.unavoidable,
          undefinedCarriers: d.undefinedCarriers,
          destinationController: d.destinationController,
          destinationGroup: d.destinationGroup,
          at: `spec.routes.${index}`,
        },
      });
    });
  }

  const firewalls: Subject<FirewallView>[] = docs.firewalls.map((doc) => ({
    ref: `FirewallPolicy/${doc.id}`,
    doc,
    path: ID_PATH,
    value: { id: doc.id, ...doc.value.spec },
  }));

  const carriers: Subject<CarrierSubjectView>[] = [...usedBy.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([id, use]) => {
      const doc = world.carriers.get(id);
      // A carrier's findings point at its own document; an undefined carrier at the place that uses it.
      return doc
        ? {
            ref: `Carrier/${id}`,
            doc,
            path: ID_PATH,
            value: { ...carrier(id), agreements: agreementsWith(id), undefinedCarriers: [] },
          }
        : {
            ref: `Carrier/${id}`,
            doc: use.doc,
            path: use.path,
            value: { ...carrier(id), agreements: agreementsWith(id), undefinedCarriers: [id] },
          };
    });

  return {
    operatorId: operatorDoc.id,
    operatorDoc,
    operator: { ...operator, contracts },
    carriers,
    agreements,
    tables,
    routes,
    firewalls,
    waivers: docs.waivers,
  };
}

/**
 * A hop belongs to the destination's operating group when it operates the destination PLMN itself, or
 * when both its ownership and the destination's resolve to the same group (an unresolved chain may end
 * short of the group it really belongs to, so it excuses nothing).
 */
function inDestinationGroup(hop: HopView, destinationGroup: string): boolean {
  if (hop.destinationNetwork) return true;
  return destinationGroup !== '' && hop.ownershipResolved && hop.group === destinationGroup;
}

/** Everything a route's shared view derives from, as one string (absent fields differ from empty ones). */
function shapeKey(protocol: string, route: Route): string {
  // Built by concatenation (it runs once per route): fields separated by \u0001, absent ones as \u0002.
  const opt = (value: unknown) => (value === undefined ? '\u0002' : String(value));
  let backups = '';
  for (const b of route.backups ?? []) backups += `${b.carrier},`;
  let transit = '';
  for (const id of route.transit ?? []) transit += `${id},`;
  return `${protocol}\u0001${route.status}\u0001${route.destination.country}\u0001${opt(route.destination.plmn)}\u0001${route.primary.carrier}\u0001${backups}\u0001${transit}\u0001${opt(route.encryption)}\u0001${opt(route.firewall)}\u0001${route.trafficShare === undefined ? 'no-share' : 'share'}`;
}

/** Shared views are frozen so that no control, aggregate or reporter can change one route through another. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

/**
 * Which protocols an operator's networks put on the interconnect: 2G/3G use SS7 (MAP, also for SMS) and
 * GTP; LTE and 5G NSA use Diameter and GTP; 5G SA uses N32 between SEPPs. Voice is not a signalling
 * protocol in the catalog's sense.
 */
export function protocolsOfNetworks(networks: readonly string[]): Protocol[] {
  const implied: Record<string, Protocol[]> = {
    gsm: ['ss7', 'sms', 'gtp'],
    umts: ['ss7', 'sms', 'gtp'],
    lte: ['diameter', 'gtp'],
    'nr-nsa': ['diameter', 'gtp'],
    'nr-sa': ['n32'],
  };
  const found = new Set(networks.flatMap((n) => implied[n] ?? []));
  return PROTOCOLS.filter((p) => found.has(p));
}

/**
 * How a FirewallPolicy protects each protocol: the section's `mode` (block | monitor | absent), for N32
 * `sepp` when a SEPP is declared and `absent` when it is declared missing; '' when the policy does not say.
 * SMS routes are screened by the SS7 section (MAP).
 */
export function protectionModes(spec: FirewallPolicySpec): Record<Protocol, string> {
  const n32 = spec.n32?.sepp === undefined ? '' : spec.n32.sepp ? 'sepp' : 'absent';
  return {
    ss7: spec.ss7?.mode ?? '',
    sms: spec.ss7?.mode ?? '',
    diameter: spec.diameter?.mode ?? '',
    gtp: spec.gtp?.mode ?? '',
    n32,
    voice: '',
  };
}

/**
 * The UTC calendar date of "2026-06-30" or "2026-06-30T23:00:00+09:00". A time without a zone is the
 * exporter's local time, unknown here: its date is taken as written (never this machine's time zone).
 * '' when the value is not a real calendar date.
 */
export function utcDate(value: string): string {
  // Kept as a second line of defence: the schema's date-time pattern checks the calendar since 1.0.0.
  const written = value.slice(0, 10);
  const real = Date.parse(`${written}T00:00:00Z`);
  if (Number.isNaN(real) || new Date(real).toISOString().slice(0, 10) !== written) return '';
  const zoned = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})$/.exec(value);
  if (!zoned) return written;
  const zone = zoned[3] === 'Z' ? 'Z' : `${zoned[3].slice(0, 3)}:${zoned[3].slice(-2)}`;
  const time = new Date(`${zoned[1]}T${zoned[2]}${zone}`);
  return Number.isNaN(time.getTime()) ? zoned[1] : time.toISOString().slice(0, 10);
}

/** Whole days from one calendar date to another (negative when `to` is earlier); null when either is no real date. */
export function daysBetween(from: string, to: string): number | null {
  const days = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
  return Number.isFinite(days) ? days : null;
}
