import { describe, expect, it } from 'vitest';
import { auditReport } from './support/audit.js';
import { REGULATOR } from './support/run.js';

describe('inventory handed to reporters', () => {
  const { inventory } = auditReport(['inputs'], REGULATOR);

  it('lists every route with its carriers, positions, risk and controllers', () => {
    const route = inventory.routes.find((r) => r.ref === 'RoutingTable/rt-jp-ss7-2026q2#r-0003')!;
    expect(route).toMatchObject({
      operator: 'jp-sakura',
      protocol: 'ss7',
      status: 'standby',
      location: { file: 'inputs/jp-sakura/routing-ss7.yaml' },
    });
    expect(route.hops.map((h) => [h.position, h.carrier, h.highRisk])).toEqual([
      ['primary', 'syniverse', false],
      ['backup 1', 'ctg', true],
      ['transit 1', 'syniverse', false],
    ]);
    expect(route.hops[1].controller).toBe('sasac');
  });

  it('lists each carrier once, with every operator using it and its ownership chain', () => {
    const cmi = inventory.carriers.filter((c) => c.id === 'cmi');
    expect(cmi).toHaveLength(1);
    expect(cmi[0]).toMatchObject({ highRisk: true, stateControlled: true, controller: { id: 'sasac', country: 'CN' } });
    expect(cmi[0].chainText).toContain('→');
    const syniverse = inventory.carriers.find((c) => c.id === 'syniverse')!;
    expect(syniverse.usedBy).toEqual(['jp-sakura', 'kr-hanbit']);
  });

  it('lists agreements with whether they are current on the audit date', () => {
    expect(inventory.agreements.find((a) => a.id === 'ag-jp-cmi-2024')).toMatchObject({
      operator: 'jp-sakura',
      counterparty: 'cmi',
      current: true,
    });
    expect(inventory.operators.map((o) => o.id)).toEqual(['jp-sakura', 'kr-hanbit', 'no-nordlys', 'nz-aotearoa']);
  });
});
