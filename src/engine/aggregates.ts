import type { RouteView, RoutingTableView, Subject, SubjectView, Submission } from '../enrich/submission.js';
import { ID_PATH } from '../enrich/submission.js';
import { compareText } from '../model/order.js';
import type { Protocol } from '../model/types.js';

/**
 * Built-in aggregates: measurements over many routes that a per-subject expression cannot make.
 * Each yields one subject per protocol the operator routes, named after the table measured, or after
 * the operator when several tables share the protocol.
 */
export const AGGREGATES = {
  highRiskTrafficShare,
  primaryShareByController,
} as const;

export type AggregateName = keyof typeof AGGREGATES;

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** The tables of one protocol and their routes. */
interface ProtocolGroup {
  protocol: Protocol;
  tables: Subject<RoutingTableView>[];
  routes: Subject<RouteView>[];
}

/** What ICX-RT-04 reads as `aggregate`: per protocol, the share of active traffic through high-risk carriers. */
export interface HighRiskTrafficShareView extends SubjectView {
  protocol: Protocol;
  tables: string[];
  activeRoutes: number;
  activeRoutesWithShare: number;
  avoidableShare: number;
  unavoidableShare: number;
  /** The routes touching a high-risk carrier with the largest shares (at most EVIDENCE_ROUTES), largest first. */
  touching: Array<{ route: string; share: number | null; unavoidable: boolean; carriers: string[] }>;
  /** How many active routes touch a high-risk carrier in all. */
  touchingCount: number;
  /** The first touching routes (table order, at most EVIDENCE_ROUTES) that declare no trafficShare. */
  routesMissingShare: string[];
  routesMissingShareCount: number;
}

/**
 * Routes an aggregate finding names in its evidence and message. A national table can have hundreds of
 * thousands touching a high-risk carrier; the finding gives the count and the largest shares (where moving
 * traffic helps most), and findings.json stays bounded by causes rather than routes.
 */
export const EVIDENCE_ROUTES = 100;

/** One operating group's share of the primary next hops of a protocol's active traffic. */
export interface GroupShare {
  group: string;
  name: string;
  share: number;
  carriers: string[];
  routeCount: number;
}

/** What ICX-RES-01 reads as `aggregate`: per protocol, the share each operating group holds as primary. */
export interface PrimaryShareByControllerView extends SubjectView {
  protocol: Protocol;
  tables: string[];
  activeRoutes: number;
  activeRoutesWithShare: number;
  groups: GroupShare[];
  top: GroupShare;
}

function byProtocol(submission: Submission): ProtocolGroup[] {
  const groups = new Map<string, ProtocolGroup>();
  for (const table of submission.tables) {
    const protocol = table.value.protocol;
    if (!groups.has(protocol)) groups.set(protocol, { protocol, tables: [], routes: [] });
    groups.get(protocol)!.tables.push(table);
  }
  for (const route of submission.routes) groups.get(route.value.protocol)!.routes.push(route);
  return [...groups.values()].sort((a, b) => compareText(a.protocol, b.protocol));
}

function groupSubject<V extends SubjectView>(
  submission: Submission,
  tables: Subject<RoutingTableView>[],
  value: V,
): Subject<V> {
  return tables.length === 1
    ? { ref: tables[0].ref, doc: tables[0].doc, path: ID_PATH, value }
    : { ref: `Operator/${submission.operatorId}`, doc: submission.operatorDoc, path: ID_PATH, value };
}

/** The `n` routes with the largest declared share (a route without one counts as 0), ties in table order. */
function largestShares(routes: readonly Subject<RouteView>[], n: number): Subject<RouteView>[] {
  const share = (r: Subject<RouteView>) => (r.value.hasTrafficShare ? r.value.trafficShare : -1);
  return routes
    .map((route, index) => ({ route, index }))
    .sort((a, b) => share(b.route) - share(a.route) || a.index - b.index)
    .slice(0, n)
    .map((e) => e.route);
}

/** RT-04: per protocol, the traffic share of active routes that touch a high-risk carrier anywhere. */
function highRiskTrafficShare(submission: Submission): Subject<HighRiskTrafficShareView>[] {
  return byProtocol(submission).map(({ protocol, tables, routes }) => {
    const active = routes.filter((r) => r.value.status === 'active');
    const touching = active.filter((r) => r.value.highRiskHops.length > 0);
    const withShare = touching.filter((r) => r.value.hasTrafficShare);
    const missing = touching.filter((r) => !r.value.hasTrafficShare);
    const sum = (list: Subject<RouteView>[]) => round(list.reduce((total, r) => total + r.value.trafficShare, 0));
    return groupSubject(submission, tables, {
      protocol,
      tables: tables.map((t) => t.value.id),
      activeRoutes: active.length,
      activeRoutesWithShare: active.filter((r) => r.value.hasTrafficShare).length,
      avoidableShare: sum(withShare.filter((r) => !r.value.unavoidable)),
      unavoidableShare: sum(withShare.filter((r) => r.value.unavoidable)),
      touching: largestShares(touching, EVIDENCE_ROUTES).map((r) => ({
        route: r.ref,
        share: r.value.hasTrafficShare ? r.value.trafficShare : null,
        unavoidable: r.value.unavoidable,
        carriers: [...new Set(r.value.highRiskHops.map((h) => h.carrier))],
      })),
      touchingCount: touching.length,
      routesMissingShare: missing.slice(0, EVIDENCE_ROUTES).map((r) => r.ref),
      routesMissingShareCount: missing.length,
    });
  });
}

/**
 * RES-01: per protocol, the share of active traffic whose primary next hop each operating group holds.
 * Grouped by operating group (hop.group), not ultimate controller: sister brands count as one, while
 * separate groups under one state body (China Mobile, China Telecom under SASAC) stay separate.
 */
function primaryShareByController(submission: Submission): Subject<PrimaryShareByControllerView>[] {
  return byProtocol(submission).map(({ protocol, tables, routes }) => {
    // Each group counts its routes rather than naming them: a national table has a million, and the
    // workbook's Routes sheet already shows every route's primary controller. One pass, no lists: three
    // filtered copies of a million routes were most of the time of this control.
    const byGroup = new Map<
      string,
      { group: string; name: string; share: number; carriers: Set<string>; routeCount: number }
    >();
    let activeRoutes = 0;
    let activeRoutesWithShare = 0;
    for (const route of routes) {
      if (route.value.status !== 'active') continue;
      activeRoutes++;
      if (!route.value.hasTrafficShare) continue;
      activeRoutesWithShare++;
      const primary = route.value.primary;
      let entry = byGroup.get(primary.group);
      if (!entry) {
        entry = { group: primary.group, name: primary.groupName, share: 0, carriers: new Set<string>(), routeCount: 0 };
        byGroup.set(primary.group, entry);
      }
      entry.share += route.value.trafficShare;
      entry.carriers.add(primary.carrier);
      entry.routeCount++;
    }
    const groups = [...byGroup.values()]
      .map((g) => ({
        group: g.group,
        name: g.name,
        share: round(g.share),
        carriers: [...g.carriers].sort(compareText),
        routeCount: g.routeCount,
      }))
      .sort((a, b) => b.share - a.share || compareText(a.group, b.group));
    const top: GroupShare = groups[0] ?? { group: '', name: '', share: 0, carriers: [], routeCount: 0 };
    return groupSubject(submission, tables, {
      protocol,
      tables: tables.map((t) => t.value.id),
      activeRoutes,
      activeRoutesWithShare,
      groups,
      top,
    });
  });
}
