import type { Diagnostic, LoadedDocument } from '../model/types.js';
import { located, type World } from './world.js';

/**
 * Checks what each document's schema accepts but the figures together cannot be: route traffic shares of
 * one protocol of one operator that add up to more than 100 %, an agreement that expires before it was
 * signed, an assessment period that ends before it begins. Each is a located `schema` error for the
 * operator concerned, which makes that operator INCOMPLETE: its figures cannot be trusted.
 *
 * Reads `spec.routes` of the routing tables: call it before the operators are audited (and their parsed
 * routes released), e.g. right after buildWorld.
 */
export function checkConsistency(world: World): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const [operatorId, doc] of world.operators) {
    const period = doc.value.spec?.assessmentPeriod;
    if (isDate(period?.from) && isDate(period?.to) && period.from > period.to) {
      diagnostics.push({
        ...located(
          doc,
          ['spec', 'assessmentPeriod', 'from'],
          'schema',
          `spec.assessmentPeriod: the period runs from ${period.from} to ${period.to}, so it ends before it begins: from must be on or before to`,
        ),
        operator: operatorId,
      });
    }
  }
  for (const [operatorId, submission] of world.submissions) {
    for (const doc of submission.agreements) {
      const { signed, expires } = doc.value.spec;
      if (isDate(signed) && isDate(expires) && expires < signed) {
        diagnostics.push({
          ...located(
            doc,
            ['spec', 'expires'],
            'schema',
            `spec.expires: the agreement expires on ${expires}, before it was signed on ${signed} (spec.signed): one of the two dates is wrong`,
          ),
          operator: operatorId,
        });
      }
    }
    for (const diagnostic of checkTrafficShares(submission.tables))
      diagnostics.push({ ...diagnostic, operator: operatorId });
  }
  return diagnostics;
}

/** A share is a percentage of its protocol's traffic: the active routes of one protocol carry at most 100 % in all. */
function checkTrafficShares(tables: readonly LoadedDocument<'RoutingTable'>[]): Diagnostic[] {
  interface Tally {
    total: number;
    /** How far rounding the written shares can have taken the total over 100 (MAX_ROUNDING_ALLOWANCE). */
    allowance: number;
    tables: string[];
    /** Where the running total first went over 100 %. */
    crossing?: { doc: LoadedDocument; route: number };
  }
  const byProtocol = new Map<string, Tally>();
  for (const doc of tables) {
    const protocol = String(doc.value.spec.protocol);
    let tally = byProtocol.get(protocol);
    if (!tally) byProtocol.set(protocol, (tally = { total: 0, allowance: 0, tables: [] }));
    let counted = false;
    doc.value.spec.routes.forEach((route, r) => {
      if (route?.status !== 'active' || typeof route.trafficShare !== 'number') return;
      tally.total += route.trafficShare;
      tally.allowance += unitOfLastDecimal(route.trafficShare);
      counted = true;
      if (!tally.crossing && tally.total > 100 + Math.min(tally.allowance, MAX_ROUNDING_ALLOWANCE) + 1e-9)
        tally.crossing = { doc, route: r };
    });
    if (counted) tally.tables.push(doc.id);
  }
  const diagnostics: Diagnostic[] = [];
  for (const [protocol, tally] of byProtocol) {
    if (!tally.crossing) continue;
    const { doc, route } = tally.crossing;
    const names = tally.tables.length === 1 ? `table ${tally.tables[0]}` : `tables ${tally.tables.join(', ')}`;
    diagnostics.push(
      located(
        doc,
        ['spec', 'routes', route, 'trafficShare'],
        'schema',
        `active routes of protocol ${protocol} carry ${percent(tally.total)} % of its traffic in all (${names}; this route's share takes the total over 100 %): trafficShare is a share of the protocol's traffic and cannot exceed 100 % in total`,
      ),
    );
  }
  return diagnostics;
}

/**
 * Shares are written rounded (three routes of a third: 33.333334 each, or 34, 34, 33): each can be up to a
 * unit of its last written decimal too high (rounded up), so the total may pass 100 by that much in all,
 * but never by more than one percentage point — 180 % is no rounding.
 */
const MAX_ROUNDING_ALLOWANCE = 1;

function unitOfLastDecimal(share: number): number {
  for (let decimals = 0; decimals < 10; decimals++) {
    const scaled = share * 10 ** decimals;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6) return 1 / 10 ** decimals;
  }
  return 1e-10;
}

function percent(total: number): string {
  return String(Math.round(total * 100) / 100);
}

function isDate(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);
}
