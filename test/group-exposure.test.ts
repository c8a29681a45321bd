import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCatalog, loadBuiltins } from '../src/audit/run-audit.js';
import { evaluateControl } from '../src/engine/evaluate.js';
import { OwnershipResolver } from '../src/enrich/ownership.js';
import { resolveProfile } from '../src/enrich/profile.js';
import { buildSubmission } from '../src/enrich/submission.js';
import { buildWorld } from '../src/enrich/world.js';
import { loadText } from '../src/load/index.js';
import { findingOf } from './support/findings.js';
import { audit } from './support/audit.js';
import { tempFiles } from './support/files.js';

const OPERATOR = `apiVersion: ixaudit/v1
kind: Operator
metadata: {id: op-x}
spec: {country: JP, networks: [gsm, umts]}
`;

const run = (text: string) => audit([join(tempFiles({ 'sub.yaml': text }), 'sub.yaml')]);
const routeTable = (routes: string) => `---
apiVersion: ixaudit/v1
kind: RoutingTable
metadata: {id: rt, operator: op-x}
spec:
  protocol: ss7
  routes:
${routes}`;

describe('unavoidable exposure is decided by operating group (point 8)', () => {
  const result = run(
    OPERATOR +
      routeTable(`    - {id: r-ctg, match: {gtPrefix: "86139"}, destination: {country: CN, plmn: "460-00"}, primary: {carrier: ctg}, status: active}
    - {id: r-cmi, match: {gtPrefix: "86138"}, destination: {country: CN, plmn: "460-00"}, primary: {carrier: cmi}, status: active}
    - {id: r-cmi-ctg, match: {gtPrefix: "86137"}, destination: {country: CN, plmn: "460-00"}, primary: {carrier: cmi}, transit: [ctg], status: active}
`),
  );
  const rt = (control: string, route: string) => findingOf(result.findings, control, `RoutingTable/rt#${route}`);

  it("China Telecom Global to China Mobile's 460-00 fails RT-01 although SASAC controls both", () => {
    expect(rt('ICX-RT-01', 'r-ctg')).toMatchObject({
      status: 'fail',
      evidence: {
        carrier: 'ctg',
        unavoidable: false,
        group: 'china-telecom-group',
        destinationGroup: 'china-mobile-group',
      },
    });
    expect(rt('ICX-RT-01', 'r-ctg')!.message).toContain('[operating group]');
  });

  it("CMI to its own group's 460-00 passes, unavoidable, and the message says why", () => {
    expect(rt('ICX-RT-01', 'r-cmi')).toMatchObject({
      status: 'pass',
      evidence: { unavoidable: true, destinationGroup: 'china-mobile-group' },
    });
    expect(rt('ICX-RT-01', 'r-cmi')!.message).toContain(
      'belongs to the operating group of the destination network 460-00',
    );
  });

  it('one carrier of another group on the route makes the whole route avoidable', () => {
    expect(rt('ICX-RT-01', 'r-cmi-ctg')).toMatchObject({ status: 'fail', evidence: { unavoidable: false } });
    expect(rt('ICX-RT-03', 'r-cmi-ctg')).toMatchObject({
      status: 'fail',
      evidence: { highRiskTransit: [expect.objectContaining({ carrier: 'ctg' })] },
    });
  });
});

describe('ids that are names of Object.prototype members (point F)', () => {
  const CARRIER = (id: string) => `---
apiVersion: ixaudit/v1
kind: Carrier
metadata: {id: ${id}}
spec: {roles: [ss7-transit], incorporatedIn: DE, ownership: []}
`;
  const AGREEMENT = (id: string, counterparty: string) => `---
apiVersion: ixaudit/v1
kind: InterconnectAgreement
metadata: {id: ${id}, operator: op-x}
spec: {counterparty: ${counterparty}, services: [ss7-transit], signed: 2025-01-01}
`;

  it('a carrier and counterparty "constructor" is audited like any other', () => {
    const result = run(
      OPERATOR +
        CARRIER('constructor') +
        CARRIER('valueof') +
        AGREEMENT('ag-c', 'constructor') +
        routeTable(`    - {id: r-1, match: {gtPrefix: "49"}, destination: {country: DE}, primary: {carrier: constructor}, backups: [{carrier: valueof}], transit: [constructor, valueof], status: active}
`),
    );
    expect(result.findings.filter((f) => f.status === 'error')).toEqual([]);
    const rt05 = findingOf(result.findings, 'ICX-RT-05', 'RoutingTable/rt#r-1');
    // constructor holds an agreement, valueof does not: a finding, not a crash.
    expect(rt05).toMatchObject({ status: 'fail', message: expect.stringContaining('valueof') });
    expect(rt05!.message).not.toMatch(/constructor[^,]*without/);
  });

  it('__proto__, toString and hasOwnProperty (not valid input ids, but never trusted to be absent) do not crash the submission or the controls', () => {
    const loaded = loadText(
      'sub.yaml',
      OPERATOR +
        CARRIER('stand-in') +
        AGREEMENT('ag-1', 'stand-in') +
        routeTable(
          `    - {id: r-1, match: {gtPrefix: "49"}, destination: {country: DE}, primary: {carrier: stand-in}, transit: [stand-in], status: active}\n`,
        ),
    );
    expect(loaded.diagnostics).toEqual([]);
    const controls = compileCatalog().controls.filter((c) =>
      ['ICX-RT-05', 'ICX-RT-08', 'ICX-OWN-02'].includes(c.definition.id),
    );
    for (const id of ['__proto__', 'toString', 'hasOwnProperty', 'constructor']) {
      const { world } = buildWorld(loadBuiltins().documents, loaded.documents);
      // Rename the carrier behind the schema's back, everywhere it is referenced.
      const carrier = world.carriers.get('stand-in')!;
      world.carriers.delete('stand-in');
      world.carriers.set(id, {
        ...carrier,
        id,
        value: { ...carrier.value, metadata: { ...carrier.value.metadata, id } },
      });
      const docs = world.submissions.get('op-x')!;
      for (const a of docs.agreements) a.value = { ...a.value, spec: { ...a.value.spec, counterparty: id } };
      for (const t of docs.tables)
        t.value = {
          ...t.value,
          spec: {
            ...t.value.spec,
            routes: t.value.spec.routes.map((r: any) => ({ ...r, primary: { carrier: id }, transit: [id] })),
          },
        };
      const { profile } = resolveProfile(world, { today: '2026-07-01' });
      const submission = buildSubmission(
        world,
        new OwnershipResolver(world),
        profile,
        world.operators.get('op-x')!,
        docs,
      );
      const findings = controls.flatMap((c) => evaluateControl(c, submission, profile));
      expect(
        findings.filter((f) => f.status === 'error'),
        id,
      ).toEqual([]);
      expect(findings.find((f) => f.control === 'ICX-RT-05')?.status, id).toBe('pass');
    }
  });
});
