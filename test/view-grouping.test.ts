import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InventoryRoute } from '../src/model/report.js';
import { compareProtocols, PROTOCOLS } from '../src/model/types.js';
import { routeScope } from '../src/report/pdf/model.js';
import { groupByOperator } from '../src/report/view/operator.js';

// Both take runs of one operator (or table) at once instead of item by item: they must give what the
// plain item-by-item grouping gives for any order of items, sorted or not.

function plainGroups<T>(items: readonly T[], operatorOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(operatorOf(item), [...(groups.get(operatorOf(item)) ?? []), item]);
  return groups;
}

const arbRoute = fc
  .record({
    operator: fc.constantFrom('jp-sakura', 'kr-hana', 'nz-kiwi'),
    table: fc.constantFrom('ss7-main', 'dia-main', 'ss7-backup'),
    protocol: fc.constantFrom('ss7', 'diameter', 'gtp', 'n32', 'sms'),
    status: fc.constantFrom('active', 'standby'),
    id: fc.nat(50),
  })
  .map((r) => ({ ...r, ref: `RoutingTable/${r.table}#${r.id}` }) as unknown as InventoryRoute);

describe('grouping by runs', () => {
  it('groupByOperator gives the plain grouping, sorted input or not', () => {
    fc.assert(
      fc.property(fc.array(arbRoute, { maxLength: 60 }), fc.boolean(), (routes, sorted) => {
        const items = sorted
          ? [...routes].sort((a, b) => (a.operator < b.operator ? -1 : a.operator > b.operator ? 1 : 0))
          : routes;
        const runs = groupByOperator(items, (r) => r.operator);
        expect([...runs.entries()]).toEqual([...plainGroups(items, (r) => r.operator).entries()]);
      }),
    );
  });

  it('routeScope counts the distinct tables, active routes and protocols of any routes', () => {
    fc.assert(
      fc.property(fc.array(arbRoute, { maxLength: 60 }), (routes) => {
        const key = (r: InventoryRoute) => `${r.operator}\u0000${r.table}`;
        const scope = routeScope(routes, key);
        expect(scope.tables).toBe(new Set(routes.map(key)).size);
        expect(scope.activeRoutes).toBe(routes.filter((r) => r.status === 'active').length);
        // In the catalog's order, as the cover lists them.
        const catalogOrder = PROTOCOLS.filter((p) => routes.some((r) => r.protocol === p));
        expect(scope.protocols).toEqual(catalogOrder);
      }),
    );
  });

  it('routeScope tells apart one table id used by two operators', () => {
    const route = (operator: string) =>
      ({ operator, table: 'ss7-main', protocol: 'ss7', status: 'active' }) as unknown as InventoryRoute;
    const routes = [route('jp-sakura'), route('kr-hana'), route('jp-sakura')];
    expect(routeScope(routes, (r) => `${r.operator}\u0000${r.table}`).tables).toBe(2);
    expect(routeScope(routes, (r) => r.table).tables).toBe(1);
  });
});

describe('compareProtocols', () => {
  it('puts the catalog protocols in the catalog order and any other name after them, by code point', () => {
    expect(['voice', 'zz-new', 'n32', 'sms', 'aa-new', 'gtp', 'ss7', 'diameter'].sort(compareProtocols)).toEqual([
      'ss7',
      'diameter',
      'gtp',
      'sms',
      'voice',
      'n32',
      'aa-new',
      'zz-new',
    ]);
  });
});
