import { progressEvery } from '../model/progress.js';
import type { ChainLink } from '../model/report.js';
import type { FirewallPolicySpec } from '../model/generated/firewall-policy.js';
import type { AgreementClauses, AgreementService, SignedDocument } from '../model/generated/interconnect-agreement.js';
import type { DocPath, LoadedDocument, Protocol, SourcePos } from '../model/types.js';
import { docPathOf, PROTOCOLS } from '../model/types.js';
import { compareText } from '../model/order.js';
import { chainMarks, chainText, type OwnershipResolution, type OwnershipResolver } from './ownership.js';
import { listingsReaching, type ReachedListing } from './listings.js';
import type { EffectiveProfile } from './profile.js';
import {
  type RouteContext,
  type RouteShape,
  type RouteView,
  routeShape,
  routeView,
  type SubjectView,
  shapeKey,
} from './route-view.js';
import type { SubmissionDocs, World } from './world.js';

/** Findings about a whole document point at its `metadata.id` line. */
export const ID_PATH: DocPath = ['metadata', 'id'];

export type { HopView, RouteView, SubjectView } from './route-view.js';

/** Something a control can judge: where it is written, how findings name it, and the data CEL sees. */
export interface Subject<V extends SubjectView = SubjectView> {
  ref: string;
  doc: LoadedDocument;
  path: DocPath;
  value: V;
  /**
   * Routes only: routes with the same shape number have the same view except for the fields that
   * identify them (IDENTITY_FIELDS of route-view.ts), so a control that reads none of those judges the
   * shape once.
   */
  shape?: number;
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
  chain: Array<ChainLink & { source: string }>;
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
  /**
   * Where the submission first names each carrier that it does not declare itself (a registry or auditor
   * entry): its carrier findings are located at that entry, which the operator cannot change, so they
   * also say where the operator uses it (`usedAt`, src/audit/run-audit.ts).
   */
  carrierUses: ReadonlyMap<string, SourcePos>;
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
  onRoutes?: (done: number, total: number) => void,
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

  // What a route's shared fields are computed from besides its shape inputs (see route-view.ts).
  const routeContext: RouteContext = {
    carrier,
    operatorCountry: operator.country,
    firewallModes,
    destinationControllers,
    destinationGroups,
  };
  /**
   * A route's shared fields are built once per distinct shape and shared, frozen, by every route of that
   * shape. The bench's million-route table, which mixes carriers at random, has 42,385 shapes, so hops, risk
   * and chains are worked out that many times, not a million, and controls judge shapes (see evaluateControl).
   */
  const shapes = new Map<string, { id: number; shape: RouteShape }>();

  const tables: Subject<RoutingTableView>[] = [];
  const routes: Subject<RouteView>[] = [];
  const routeTotal = docs.tables.reduce((n, doc) => n + doc.value.spec.routes.length, 0);
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
      const key = shapeKey(route, protocol);
      let shape = shapes.get(key);
      if (!shape) {
        shape = { id: shapes.size, shape: routeShape(route, protocol, routeContext) };
        shapes.set(key, shape);
        // A carrier's first use is always the first route of some shape: only new shapes need noting.
        for (const hop of shape.shape.view.hops) noteUse(hop.carrier, doc, [...base, ...docPathOf(hop.at)]);
      }
      routes.push({
        // Joined, not a template literal: V8 makes a template this long a rope, flattened on its first
        // read, and every finding, cell and map key of the route reads it. For a million routes that
        // first read cost 0.5 s wherever it fell (once, in a loop with nothing to report); join makes
        // the string flat here, at no extra cost.
        ref: ['RoutingTable/', doc.id, '#', route.id].join(''),
        doc,
        path: base,
        shape: shape.id,
        value: routeView(shape.shape, { route, table: doc.id, index }),
      });
      if (onRoutes && routes.length % progressEvery.items === 0) onRoutes(routes.length, routeTotal);
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

  const carrierUses = new Map<string, SourcePos>();
  for (const [id, use] of usedBy) {
    const origin = world.carriers.get(id)?.origin;
    if (origin !== undefined && origin !== 'submission') carrierUses.set(id, use.doc.positions.locate(use.path));
  }

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
    carrierUses,
  };
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
