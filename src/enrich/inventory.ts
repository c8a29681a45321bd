import { progressEvery } from '../model/progress.js';
import type { RouteMatch } from '../model/generated/routing-table.js';
import type { Inventory, InventoryRoute } from '../model/report.js';
import type { SourcePos } from '../model/types.js';
import type { RouteView, Subject, Submission } from './submission.js';

function at(subject: {
  doc: { positions: { locate(p: ReadonlyArray<string | number>): SourcePos } };
  path: ReadonlyArray<string | number>;
}): SourcePos {
  const pos = subject.doc.positions.locate(subject.path);
  return { file: pos.file, line: pos.line, column: pos.column };
}

/** "gtPrefix 49, ssn 6"; written without intermediate arrays, as it runs once per route. */
function matchText(match: RouteMatch): string {
  let text = '';
  for (const key in match) text += `${text === '' ? '' : ', '}${key} ${match[key as keyof RouteMatch]}`;
  return text;
}

/** Adds one operator's routes, carriers and agreements to the run's inventory (for reports, not for controls). */
export function inventoryOf(
  submission: Submission,
  inventory: Inventory,
  onRoutes?: (done: number, total: number) => void,
): void {
  const op = submission.operator;
  inventory.operators.push({ id: op.id, name: op.name, country: op.country, networks: op.networks, plmns: op.plmns });
  // Routes of one shape have the same hops (see Submission): their inventory rows share one list.
  const hopsByShape = new Map<number, InventoryRoute['hops']>();
  const hopsOf = (route: Subject<RouteView>): InventoryRoute['hops'] => {
    const known = route.shape === undefined ? undefined : hopsByShape.get(route.shape);
    if (known) return known;
    const hops: InventoryRoute['hops'] = route.value.hops.map((h) => ({
      carrier: h.carrier,
      role: h.role,
      position: h.position,
      highRisk: h.highRisk,
      unavoidable: h.unavoidable,
      controller: h.controller,
      controllerName: h.controllerName,
      country: h.country,
    }));
    if (route.shape !== undefined) hopsByShape.set(route.shape, hops);
    return hops;
  };
  for (const route of submission.routes) {
    const r = route.value;
    inventory.routes.push({
      operator: op.id,
      table: r.table,
      id: r.id,
      ref: route.ref,
      protocol: r.protocol,
      status: r.status,
      match: matchText(r.match),
      destination: r.destination,
      trafficShare: r.hasTrafficShare ? r.trafficShare : null,
      encryption: r.encryption,
      firewall: r.firewall,
      hops: hopsOf(route),
      location: at(route),
    });
    if (onRoutes && inventory.routes.length % progressEvery.items === 0)
      onRoutes(inventory.routes.length, submission.routes.length);
  }
  for (const carrier of submission.carriers) {
    const c = carrier.value;
    inventory.carriers.push({
      id: c.id,
      name: c.name,
      roles: c.roles,
      incorporatedIn: c.incorporatedIn,
      headquarters: c.headquarters,
      controller: c.controller,
      stateControlled: c.stateControlled,
      ownershipResolved: c.ownershipResolved,
      chainText: c.chainText,
      chain: c.chain.map(({ id, name, type, country, share, control }) => ({
        id,
        name,
        type,
        country,
        share,
        control,
      })),
      highRisk: c.highRisk,
      riskReasons: c.riskReasons,
      listings: c.listings,
      usedBy: [op.id],
      declaredBy: [],
      location: at(carrier),
    });
  }
  for (const agreement of submission.agreements) {
    const a = agreement.value;
    inventory.agreements.push({
      operator: op.id,
      id: a.id,
      counterparty: a.counterparty.id,
      services: a.services,
      signed: a.signed,
      expires: a.expires,
      current: a.current,
      location: at(agreement),
    });
  }
}
