import type { Subject, Submission } from '../enrich/submission.js';
import { ID_PATH } from '../enrich/submission.js';
import { compareText } from '../model/order.js';

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

function byProtocol(submission: Submission): Array<{ protocol: string; tables: Subject[]; routes: Subject[] }> {
  const groups = new Map<string, { protocol: string; tables: Subject[]; routes: Subject[] }>();
  for (const table of submission.tables) {
    const protocol = table.value.protocol;
    if (!groups.has(protocol)) groups.set(protocol, { protocol, tables: [], routes: [] });
    groups.get(protocol)!.tables.push(table);
  }
  for (const route of submission.routes) groups.get(route.value.protocol)!.routes.push(route);
  return [...groups.values()].sort((a, b) => compareText(a.protocol, b.protocol));
}

function groupSubject(submission: Submission, tables: Subject[], value: Record<string, any>): Subject {
  return tables.length === 1
    ? { ref: tables[0].ref, doc: tables[0].doc, path: ID_PATH, value }
    : { ref: `Operator/${submission.operatorId}`, doc: submission.operatorDoc, path: ID_PATH, value };
}

/** RT-04: per protocol, the traffic share of active routes that touch a high-risk carrier anywhere. */
function highRiskTrafficShare(submission: Submission): Subject[] {
  return byProtocol(submission).map(({ protocol, tables, routes }) => {
    const active = routes.filter((r) => r.value.status === 'active');
    const touching = active.filter((r) => r.value.highRiskHops.length > 0);
    const withShare = touching.filter((r) => r.value.hasTrafficShare);
    const sum = (list: Subject[]) => round(list.reduce((total, r) => total + r.value.trafficShare, 0));
    return groupSubject(submission, tables, {
      protocol,
      tables: tables.map((t) => t.value.id),
      activeRoutes: active.length,
      activeRoutesWithShare: active.filter((r) => r.value.hasTrafficShare).length,
      avoidableShare: sum(withShare.filter((r) => !r.value.unavoidable)),
      unavoidableShare: sum(withShare.filter((r) => r.value.unavoidable)),
      touching: touching.map((r) => ({
        route: r.ref,
        share: r.value.hasTrafficShare ? r.value.trafficShare : null,
        unavoidable: r.value.unavoidable,
        carriers: [...new Set(r.value.highRiskHops.map((h: { carrier: string }) => h.carrier))],
      })),
      routesMissingShare: touching.filter((r) => !r.value.hasTrafficShare).map((r) => r.ref),
    });
  });
}

/**
 * RES-01: per protocol, the share of active traffic whose primary next hop each operating group holds.
 * Grouped by operating group (hop.group), not ultimate controller: sister brands count as one, while
 * separate groups under one state body (China Mobile, China Telecom under SASAC) stay separate.
 */
function primaryShareByController(submission: Submission): Subject[] {
  return byProtocol(submission).map(({ protocol, tables, routes }) => {
    const active = routes.filter((r) => r.value.status === 'active');
    // Each group counts its routes rather than naming them: a national table has a million, and the
    // workbook's Routes sheet already shows every route's primary controller.
    const byGroup = new Map<
      string,
      { group: string; name: string; share: number; carriers: Set<string>; routeCount: number }
    >();
    for (const route of active.filter((r) => r.value.hasTrafficShare)) {
      const primary = route.value.primary;
      const entry = byGroup.get(primary.group) ?? {
        group: primary.group,
        name: primary.groupName,
        share: 0,
        carriers: new Set<string>(),
        routeCount: 0,
      };
      entry.share += route.value.trafficShare;
      entry.carriers.add(primary.carrier);
      entry.routeCount++;
      byGroup.set(primary.group, entry);
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
    const top = groups[0] ?? { group: '', name: '', share: 0, carriers: [] as string[], routeCount: 0 };
    return groupSubject(submission, tables, {
      protocol,
      tables: tables.map((t) => t.value.id),
      activeRoutes: active.length,
      activeRoutesWithShare: active.filter((r) => r.value.hasTrafficShare).length,
      groups,
      top,
    });
  });
}
