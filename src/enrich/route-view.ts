import type { Route, RouteMatch, RouteStatus } from '../model/generated/routing-table.js';
import type { HopRole } from '../model/report.js';
import type { Protocol } from '../model/types.js';
import { SIGNALLING_PROTOCOLS } from '../model/types.js';

/**
 * The route view controls see (`route`), declared once. Each field says how it is computed and whether it
 * identifies the route (differs from route to route without saying anything about its risk) or belongs to
 * the route's *shape* (computed from the shape's inputs only, so shared, frozen, by every route of the
 * shape). From this one declaration come the view's type (RouteView), the shape key (SHAPE_INPUTS), the
 * route objects (routeView), the identity fields (IDENTITY_FIELDS) and what a control's projection
 * compares (projectedValue, see evaluateControl). A new field is added here and nowhere else.
 */

/**
 * What the engine reads of any subject's view before a control's expressions see it (evaluateControl):
 * the control's protocol and status filters, and the carriers that make it impossible to judge.
 */
export interface SubjectView {
  protocol?: Protocol;
  status?: RouteStatus;
  undefinedCarriers?: readonly string[];
}

/**
 * A carrier on a route as controls see it. `at` is the path of the field that names it, relative to the
 * route item (`primary.carrier`, `backups.0.carrier`, `transit.1`), so routes of one shape share hops;
 * the engine reads a location that does not start at `spec` or `metadata` relative to the subject.
 */
export interface HopView {
  carrier: string;
  name: string;
  role: HopRole;
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

/** What a hop shows of its carrier (a CarrierView has it all). */
export interface HopCarrier {
  name: string;
  known: boolean;
  roles: string[];
  ownershipResolved: boolean;
  plmns: string[];
  highRisk: boolean;
  riskReasons: string[];
  controller: { id: string; name: string; country: string };
  group: { id: string; name: string };
  chainText: string;
  incorporatedIn: string;
}

/** What a route's shared fields are computed from besides the route: one operator's world. */
export interface RouteContext {
  carrier(id: string): HopCarrier;
  operatorCountry: string;
  /** Per firewall policy id, its mode per protocol (protectionModes). */
  firewallModes: ReadonlyMap<string, Record<Protocol, string>>;
  /** Per PLMN, the ultimate controller and operating group ('' when unresolved) of the carrier operating it. */
  destinationControllers: ReadonlyMap<string, string>;
  destinationGroups: ReadonlyMap<string, string>;
}

type InputValue = string | boolean | undefined | readonly string[];

/**
 * Everything of a route that its shape is made of: routes with equal inputs have equal shared fields,
 * because shared fields are computed from these inputs (and the operator's context) and nothing else.
 * The shape key is these values in this order.
 */
const SHAPE_INPUTS = {
  protocol: (_route: Route, protocol: Protocol): Protocol => protocol,
  status: (route: Route): RouteStatus => route.status,
  country: (route: Route): string => route.destination.country,
  plmn: (route: Route): string | undefined => route.destination.plmn,
  primary: (route: Route): string => route.primary.carrier,
  backups: (route: Route): string[] => (route.backups ?? []).map((b) => b.carrier),
  transit: (route: Route): string[] => route.transit ?? [],
  encryption: (route: Route): string | undefined => route.encryption,
  firewall: (route: Route): string | undefined => route.firewall,
  hasTrafficShare: (route: Route): boolean => route.trafficShare !== undefined,
} satisfies Record<string, (route: Route, protocol: Protocol) => InputValue>;

export type ShapeInput = { [K in keyof typeof SHAPE_INPUTS]: ReturnType<(typeof SHAPE_INPUTS)[K]> };

const INPUTS = Object.entries(SHAPE_INPUTS) as Array<
  [keyof ShapeInput, (route: Route, protocol: Protocol) => InputValue]
>;

/** A route's shape key: its shape inputs in order, separated by \u0001, absent ones as \u0002. */
export function shapeKey(route: Route, protocol: Protocol): string {
  let key = '';
  for (const [, read] of INPUTS) {
    const value = read(route, protocol);
    if (value === undefined) key += '\u0002';
    else if (typeof value === 'string') key += value;
    else if (typeof value === 'boolean') key += value ? 't' : 'f';
    else for (const item of value) key += `${item},`;
    key += '\u0001';
  }
  return key;
}

function shapeInput(route: Route, protocol: Protocol): ShapeInput {
  const input: Record<string, InputValue> = {};
  for (const [name, read] of INPUTS) input[name] = read(route, protocol);
  return input as ShapeInput;
}

/** What shared fields read: the shape's inputs, with its hops worked out once. */
export interface ShapeFacts {
  input: ShapeInput;
  context: RouteContext;
  primary: HopView;
  backups: HopView[];
  transit: HopView[];
  hops: HopView[];
  highRiskHops: HopView[];
  unavoidable: boolean;
  destinationController: string;
  destinationGroup: string;
}

function shapeFacts(input: ShapeInput, context: RouteContext): ShapeFacts {
  const destinationPlmn = input.plmn ?? '';
  const hop = (id: string, role: HopRole, position: string, at: string): HopView => {
    const view = context.carrier(id);
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
      foreign: view.incorporatedIn !== context.operatorCountry,
      unavoidable: false,
    };
  };
  const primary = hop(input.primary, 'primary', 'primary', 'primary.carrier');
  const backups = input.backups.map((id, i) => hop(id, 'backup', `backup ${i + 1}`, `backups.${i}.carrier`));
  const transit = input.transit.map((id, i) => hop(id, 'transit', `transit ${i + 1}`, `transit.${i}`));
  const hops: HopView[] = [primary, ...backups, ...transit];

  // Unavoidable exposure: every high-risk carrier on the route belongs to the operating group of the
  // destination network (controls.md). The group, not the ultimate controller: China Telecom on a route
  // to China Mobile's 460-00 could be avoided although SASAC controls both.
  const destinationController = input.plmn ? (context.destinationControllers.get(input.plmn) ?? '') : '';
  const destinationGroup = input.plmn ? (context.destinationGroups.get(input.plmn) ?? '') : '';
  const highRiskHops = hops.filter((h) => h.highRisk);
  const unavoidable = highRiskHops.length > 0 && highRiskHops.every((h) => inDestinationGroup(h, destinationGroup));
  if (unavoidable) for (const h of highRiskHops) h.unavoidable = true;
  return {
    input,
    context,
    primary,
    backups,
    transit,
    hops,
    highRiskHops,
    unavoidable,
    destinationController,
    destinationGroup,
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

/** What identity fields read: the route item itself and where it is. */
export interface RouteSource {
  route: Route;
  table: string;
  index: number;
}

interface IdentityField<T> {
  identifies: true;
  of: (source: RouteSource) => T;
}

interface SharedField<T> {
  identifies: false;
  of: (shape: ShapeFacts) => T;
  /** The value as a projection compares it: equal strings for values no control can tell apart. */
  project: (value: T) => string;
}

const identity = <T>(of: (source: RouteSource) => T): IdentityField<T> => ({ identifies: true, of });
const shared = <T>(of: (shape: ShapeFacts) => T, project: (value: T) => string = json): SharedField<T> => ({
  identifies: false,
  of,
  project,
});

function json(value: unknown): string {
  return JSON.stringify(value) ?? 'undefined';
}

/** A hop by what varies between routes: the rest of a hop derives from its carrier (and the operator). */
function hopKey(hop: HopView): string {
  return `${hop.carrier}/${hop.position}/${hop.destinationNetwork ? 'd' : ''}/${hop.unavoidable ? 'u' : ''}`;
}

function hopsKey(hops: readonly HopView[]): string {
  return `[${hops.map(hopKey).join(',')}]`;
}

/** The route view, field by field, in the order route objects have their keys. */
export const ROUTE_VIEW = {
  id: identity((r) => r.route.id),
  table: identity((r) => r.table),
  protocol: shared((s): Protocol => s.input.protocol),
  signalling: shared((s) => SIGNALLING_PROTOCOLS.includes(s.input.protocol)),
  status: shared((s): RouteStatus => s.input.status),
  match: identity((r): RouteMatch => r.route.match),
  destination: shared((s) => ({ country: s.input.country, plmn: s.input.plmn ?? '' })),
  domestic: shared((s) => s.input.country === s.context.operatorCountry),
  hasTrafficShare: shared((s) => s.input.hasTrafficShare),
  /** 0 when the route gives none (hasTrafficShare says which). */
  trafficShare: identity((r) => r.route.trafficShare ?? 0),
  encryption: shared((s): string => s.input.encryption ?? ''),
  firewall: shared((s) => s.input.firewall ?? ''),
  firewallExists: shared((s) => s.input.firewall !== undefined && s.context.firewallModes.has(s.input.firewall)),
  firewallMode: shared((s) =>
    s.input.firewall !== undefined ? (s.context.firewallModes.get(s.input.firewall)?.[s.input.protocol] ?? '') : '',
  ),
  primary: shared((s) => s.primary, hopKey),
  backups: shared((s) => s.backups, hopsKey),
  transit: shared((s) => s.transit, hopsKey),
  nextHops: shared((s) => [s.primary, ...s.backups], hopsKey),
  hops: shared((s) => s.hops, hopsKey),
  highRiskHops: shared((s) => s.highRiskHops, hopsKey),
  unavoidable: shared((s) => s.unavoidable),
  undefinedCarriers: shared((s) => [...new Set(s.hops.filter((h) => !h.known).map((h) => h.carrier))]),
  destinationController: shared((s) => s.destinationController),
  /** Operating group of the carrier whose identifiers.plmns holds the destination PLMN ('' when none, or its ownership does not resolve). */
  destinationGroup: shared((s) => s.destinationGroup),
  /** The route's item in its table: `spec.routes.<index>`. */
  at: identity((r) => `spec.routes.${r.index}`),
};

type Declared = typeof ROUTE_VIEW;
type ValueOf<F> = F extends IdentityField<infer T> ? T : F extends SharedField<infer T> ? T : never;

/** A route as controls see it (`route`): its shape's shared fields and what identifies it. */
export type RouteView = { [K in keyof Declared]: ValueOf<Declared[K]> };

export type RouteField = keyof RouteView;

/** The fields of one shape, shared (frozen) by all its routes. */
export type ShapeView = {
  readonly [K in RouteField as Declared[K] extends { identifies: false } ? K : never]: RouteView[K];
};

type AnyField = IdentityField<unknown> | SharedField<unknown>;
const FIELDS = Object.entries(ROUTE_VIEW) as Array<[RouteField, AnyField]>;

/** Every field of the route view. */
export const ROUTE_FIELDS: readonly RouteField[] = FIELDS.map(([name]) => name);

/** Route fields that differ from route to route without saying anything about its risk. */
export const IDENTITY_FIELDS: readonly RouteField[] = FIELDS.filter(([, f]) => f.identifies).map(([name]) => name);

/** One shape: its shared fields, frozen, and the object its routes' views are copied from. */
export interface RouteShape {
  readonly view: ShapeView;
  /** Every field in declaration order, identity ones still undefined: routeView copies it. */
  readonly template: Readonly<Record<string, unknown>>;
}

const IDENTITY_OF = FIELDS.flatMap(([name, f]) => (f.identifies ? [[name, f.of] as const] : []));

/**
 * Computes the shape of a route (of this key) once: its shared fields are computed from its shape inputs
 * only, and frozen so that no control, aggregate or reporter can change one route through another.
 */
export function routeShape(route: Route, protocol: Protocol, context: RouteContext): RouteShape {
  const facts = shapeFacts(shapeInput(route, protocol), context);
  const view: Record<string, unknown> = {};
  const template: Record<string, unknown> = {};
  for (const [name, field] of FIELDS) {
    if (field.identifies) template[name] = undefined;
    else template[name] = view[name] = field.of(facts);
  }
  return { view: deepFreeze(view) as ShapeView, template };
}

/** One route's view: its shape's shared fields and its own identity, in declaration order. */
export function routeView(shape: RouteShape, source: RouteSource): RouteView {
  // A copy of the template (one hidden class for every route view), then the route's own fields.
  const view: Record<string, unknown> = { ...shape.template };
  for (const [name, of] of IDENTITY_OF) view[name] = of(source);
  return view as RouteView;
}

/** Whether a name is a field the view's shapes share (not identity, not unknown). */
export function isSharedField(name: string): name is RouteField {
  const field = (ROUTE_VIEW as Record<string, AnyField | undefined>)[name];
  return field !== undefined && !field.identifies;
}

/** A shared field's value as a projection compares it (see evaluateControl). */
export function projectedValue(name: RouteField, value: unknown): string {
  const field = ROUTE_VIEW[name] as AnyField;
  return field.identifies ? json(value) : field.project(value);
}

/** Shared views are frozen so that no control, aggregate or reporter can change one route through another. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
