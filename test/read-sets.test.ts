import { Environment } from '@marcbachmann/cel-js';
import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../src/audit/run-audit.js';
import type { CelProgram } from '../src/engine/compile.js';
import { controlReads, programReads } from '../src/engine/read-sets.js';
import { IDENTITY_FIELDS, ROUTE_FIELDS } from '../src/enrich/route-view.js';

const catalog = compileCatalog().controls;
const control = (id: string) => catalog.find((c) => c.definition.id === id)!;
const sorted = (set: ReadonlySet<string>) => [...set].sort();
const environment = new Environment({ unlistedVariablesAreDyn: true, enableOptionalTypes: true });
const reads = (source: string) => sorted(programReads(environment.parse(source) as unknown as CelProgram));

describe('read-sets from the CEL AST', () => {
  it('ICX-RT-02 reads the backups for its verdict (inside filter), its location the route item', () => {
    const r = controlReads(control('ICX-RT-02'));
    expect(sorted(r.verdict)).toEqual(['backups', 'protocol', 'status', 'undefinedCarriers']);
    expect(sorted(r.details)).toEqual(['backups', 'destinationGroup', 'status', 'unavoidable']);
    expect(sorted(r.location)).toEqual(['at']);
  });

  it('ICX-ENC-01 reads the next hop and encryption; its messages the destination; string literals read nothing', () => {
    const r = controlReads(control('ICX-ENC-01'));
    expect(sorted(r.verdict)).toEqual(['encryption', 'primary', 'protocol', 'status', 'undefinedCarriers']);
    expect(sorted(r.details)).toEqual(['destination', 'encryption', 'primary']);
    expect(sorted(r.location)).toEqual(['at']);
  });

  it('no catalog route control reads a route identity for its verdict', () => {
    const identity = new Set<string>(IDENTITY_FIELDS);
    const routeControls = catalog.filter((c) => c.definition.appliesTo.subject === 'route');
    expect(routeControls.length).toBeGreaterThan(5);
    for (const c of routeControls)
      expect(
        [...controlReads(c).verdict].filter((f) => identity.has(f)),
        c.definition.id,
      ).toEqual([]);
  });

  it('follows field access in every form and inside macros', () => {
    expect(reads('route.primary.carrier == "x"')).toEqual(['primary']);
    expect(reads('route["firewall"] != "" && has(route.encryption)')).toEqual(['encryption', 'firewall']);
    expect(reads('route.?transit.orValue([]).size() > 0')).toEqual(['transit']);
    expect(reads('route.backups.filter(h, h.highRisk).map(h, h.at).exists(a, a == subject.at)')).toEqual([
      'at',
      'backups',
    ]);
    expect(reads('"route.id" == params.x && operator.id != ""')).toEqual([]);
  });

  it('reads everything when the route is read as a whole, indexed by a variable, or the AST is missing', () => {
    const everything = [...ROUTE_FIELDS].sort();
    expect(reads('size(route) > 0')).toEqual(everything);
    expect(reads('route[params.field] == 1')).toEqual(everything);
    expect(reads('route.hops.exists(route, route.highRisk)')).toEqual(expect.arrayContaining(everything));
    expect(sorted(programReads((() => true) as CelProgram))).toEqual(everything);
  });
});
