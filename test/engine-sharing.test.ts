import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileCatalog, loadBuiltins } from '../src/audit/run-audit.js';
import { evaluateControl, shapeSharing } from '../src/engine/evaluate.js';
import { OwnershipResolver } from '../src/enrich/ownership.js';
import { resolveProfile } from '../src/enrich/profile.js';
import { buildSubmission } from '../src/enrich/submission.js';
import { buildWorld } from '../src/enrich/world.js';
import { loadText } from '../src/load/index.js';
import type { AuditResult } from '../src/model/report.js';
import { audit } from './support/audit.js';
import { tempFiles } from './support/files.js';

// Routes that look the same to a control share one evaluation (shapes, projections, shared details).
// With the internal switch off every route is judged on its own; the findings must not differ in any
// way, for every control of the catalog, whatever the table.

/** Carriers of test/controls/_base.yaml (of every risk shape), and one that is not defined anywhere. */
const CARRIERS = ['clean-ipx', 'clean-de', 'jp-transit', 'risky-hub', 'risky-home', 'ghost'];

/** What a route's shape is made of: routes drawn from a few of these share shapes. */
const shapeTemplate = fc.record({
  destination: fc.record(
    {
      country: fc.constantFrom('JP', 'CN', 'HK', 'DE'),
      plmn: fc.constantFrom('440-99', '460-99', '262-01'),
    },
    { requiredKeys: ['country'] },
  ),
  primary: fc.record({ carrier: fc.constantFrom(...CARRIERS) }),
  backups: fc.option(fc.array(fc.record({ carrier: fc.constantFrom(...CARRIERS) }), { maxLength: 2 }), {
    nil: undefined,
  }),
  transit: fc.option(fc.array(fc.constantFrom(...CARRIERS), { maxLength: 2 }), { nil: undefined }),
  encryption: fc.option(fc.constantFrom('none', 'ipsec', 'tls', 'prins'), { nil: undefined }),
  firewall: fc.option(fc.constantFrom('fw-1', 'fw-elsewhere'), { nil: undefined }),
  status: fc.constantFrom('active', 'standby', 'disabled'),
  withShare: fc.boolean(),
});

/** Per route: which template it follows, and what identifies it. */
const routeChoice = fc.record({ template: fc.nat(), share: fc.integer({ min: 0, max: 100 }), prefix: fc.nat(999) });

type Template = typeof shapeTemplate extends fc.Arbitrary<infer T> ? T : never;
const TEMPLATE_FIELDS = [
  'destination',
  'primary',
  'backups',
  'transit',
  'encryption',
  'firewall',
  'status',
  'withShare',
] as const;

/**
 * A few shapes that differ from a first one in one or two fields, so that shapes which look the same to
 * one control and not to another are common (a projection that left out a field would be caught).
 */
const templates = fc
  .tuple(
    shapeTemplate,
    fc.array(fc.tuple(shapeTemplate, fc.subarray([...TEMPLATE_FIELDS], { minLength: 1, maxLength: 2 })), {
      maxLength: 5,
    }),
  )
  .map(([base, variants]) => [
    base,
    ...variants.map(([other, fields]): Template => {
      const variant: Template = { ...base };
      for (const field of fields) Object.assign(variant, { [field]: other[field] });
      return variant;
    }),
  ]);

const table = fc.record({
  protocol: fc.constantFrom('ss7', 'diameter', 'gtp', 'sms', 'n32', 'voice'),
  templates,
  routes: fc.array(routeChoice, { minLength: 1, maxLength: 30 }),
});

type Table = typeof table extends fc.Arbitrary<infer T> ? T : never;

const FIREWALL = `---
apiVersion: ixaudit/v1
kind: FirewallPolicy
metadata: {id: fw-1, operator: op-jp}
spec:
  ss7: {mode: block}
  diameter: {mode: monitor}
  n32: {sepp: true, security: prins}
`;

function tableYaml({ protocol, templates, routes }: Table): string {
  const items = routes.map((choice, i) => {
    const { withShare, ...shape } = templates[choice.template % templates.length];
    const route = {
      id: `r-${i}`,
      match: { gtPrefix: `${choice.prefix}` },
      ...shape,
      ...(withShare ? { trafficShare: choice.share } : {}),
    };
    // JSON is YAML; undefined fields drop out.
    return `    - ${JSON.stringify(route)}\n`;
  });
  return `apiVersion: ixaudit/v1\nkind: RoutingTable\nmetadata: {id: rt-gen, operator: op-jp}\nspec:\n  protocol: ${protocol}\n  routes:\n${items.join('')}`;
}

function auditWith(sharing: boolean, args: string[], listRouteFindingsUpTo: number): AuditResult {
  const before = shapeSharing.enabled;
  shapeSharing.enabled = sharing;
  try {
    return audit(args, { listRouteFindingsUpTo });
  } finally {
    shapeSharing.enabled = before;
  }
}

describe('shape sharing (fast-check)', () => {
  it('gives identical findings, in the same order, with sharing on and off, for every control', () => {
    fc.assert(
      fc.property(table, fc.boolean(), (t, counted) => {
        const dir = tempFiles({ 'rt.yaml': tableYaml(t), 'fw.yaml': FIREWALL });
        const args = ['test/controls/_base.yaml', join(dir, 'rt.yaml'), join(dir, 'fw.yaml')];
        const limit = counted ? 0 : Number.POSITIVE_INFINITY;
        const shared = auditWith(true, args, limit);
        const plain = auditWith(false, args, limit);
        // The generated table was read and its routes judged (listed, or counted with examples).
        const subjects = [
          ...shared.findings.map((f) => f.subject),
          ...(shared.summarised ?? []).flatMap((s) => s.examples),
        ];
        expect(subjects.some((s) => s.startsWith('RoutingTable/rt-gen#'))).toBe(true);
        expect(shared.findings).toEqual(plain.findings);
        expect(shared.summarised).toEqual(plain.summarised);
        expect(shared.summary).toEqual(plain.summary);
      }),
      // Each run audits a generated table twice: 20 keep the suite within its time.
      { numRuns: 20 },
    );
  });

  it('the switch is wired: on, routes of one projection share their evidence object; off, each has its own', () => {
    const routes = [1, 2, 3]
      .map(
        (i) =>
          `    - {id: r-${i}, match: {gtPrefix: "85${i}"}, destination: {country: HK}, primary: {carrier: risky-hub}, encryption: none, status: active}\n`,
      )
      .join('');
    const text = `${readFileSync('test/controls/_base.yaml', 'utf8')}---\napiVersion: ixaudit/v1\nkind: RoutingTable\nmetadata: {id: rt, operator: op-jp}\nspec:\n  protocol: ss7\n  routes:\n${routes}`;
    const loaded = loadText('sub.yaml', text);
    expect(loaded.diagnostics).toEqual([]);
    const { world } = buildWorld(loadBuiltins().documents, loaded.documents);
    const { profile } = resolveProfile(world, { today: '2026-07-01' });
    const submission = buildSubmission(
      world,
      new OwnershipResolver(world),
      profile,
      world.operators.get('op-jp')!,
      world.submissions.get('op-jp')!,
    );
    expect(new Set(submission.routes.map((r) => r.shape))).toEqual(new Set([0]));
    const control = compileCatalog().controls.find((c) => c.definition.id === 'ICX-ENC-01')!;
    const evidence = (sharing: boolean) => {
      const before = shapeSharing.enabled;
      shapeSharing.enabled = sharing;
      try {
        const findings = evaluateControl(control, submission, profile);
        expect(findings.map((f) => [f.subject, f.status])).toEqual(
          [1, 2, 3].map((i) => [`RoutingTable/rt#r-${i}`, 'fail']),
        );
        return new Set(findings.map((f) => f.evidence)).size;
      } finally {
        shapeSharing.enabled = before;
      }
    };
    expect(evidence(true)).toBe(1);
    expect(evidence(false)).toBe(3);
  });
});
