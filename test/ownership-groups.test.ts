import { describe, expect, it } from 'vitest';
import { loadBuiltins } from '../src/audit/run-audit.js';
import {
  candidateEdges,
  chainText,
  checkHoldings,
  holdingConflict,
  operatingGroup,
  OwnershipResolver,
} from '../src/enrich/ownership.js';
import { resolveProfile } from '../src/enrich/profile.js';
import { carrierView } from '../src/enrich/submission.js';
import { buildWorld } from '../src/enrich/world.js';
import { loadText } from '../src/load/index.js';

const builtins = loadBuiltins().documents;

/** A world of the shipped registry plus the given Carrier / Owner documents (as the auditor's or a submission's). */
function worldWith(text = '') {
  const loaded = loadText('extra.yaml', text);
  expect(loaded.diagnostics).toEqual([]);
  const { world } = buildWorld(builtins, loaded.documents);
  const resolver = new OwnershipResolver(world);
  const { profile } = resolveProfile(world, { today: '2026-07-01' });
  return { world, resolver, view: (id: string) => carrierView(world, resolver, profile, id) };
}

const doc = (kind: string, id: string, spec: string) =>
  `---\napiVersion: ixaudit/v1\nkind: ${kind}\nmetadata: {id: ${id}, name: ${id}}\nspec: ${spec}\n`;

describe('operating group', () => {
  it('is the topmost non-government entity of the chain: China Mobile Communications Group for CMI, not SASAC', () => {
    const { resolver, view } = worldWith();
    const cmi = resolver.resolve('cmi');
    expect(cmi).toMatchObject({
      resolved: true,
      controller: { id: 'sasac', type: 'government' },
      group: { id: 'china-mobile-group', type: 'state-enterprise' },
    });
    expect(resolver.resolve('ctg').group.id).toBe('china-telecom-group');
    expect(resolver.resolve('cug').group.id).toBe('china-unicom-group');
    expect(view('cmi').group).toEqual({
      id: 'china-mobile-group',
      name: 'China Mobile Communications Group Co., Ltd. (中国移动通信集团有限公司)',
      type: 'state-enterprise',
      country: 'CN',
    });
  });

  it('is the ultimate controller where the chain has no government, and the carrier itself where it has no owners', () => {
    const { resolver } = worldWith();
    const ntt = resolver.resolve('ntt-ipx');
    expect(ntt.group.id).toBe(ntt.controller.id);
    const { resolver: r2 } = worldWith(doc('Carrier', 'solo', '{incorporatedIn: DE, ownership: []}'));
    expect(r2.resolve('solo')).toMatchObject({ group: { id: 'solo' }, controller: { id: 'solo' } });
  });

  it('skips every government at the top, however many', () => {
    const steps = [
      { id: 'c', type: 'company' },
      { id: 'ministry', type: 'government' },
      { id: 'state', type: 'government' },
    ].map((s) => ({ ...s, name: s.id, kind: 'Owner' as const, country: 'XX', source: '' }));
    expect(operatingGroup(steps).id).toBe('c');
  });

  it('is marked in the chain text beside the ultimate controller', () => {
    const { view } = worldWith(doc('Carrier', 'solo', '{incorporatedIn: DE, ownership: []}'));
    const cmi = view('cmi').chainText;
    expect(cmi).toMatch(/China Mobile Communications Group[^→]*\[operating group\] → /);
    expect(cmi).toMatch(/State-owned Assets Supervision[^→]*\[ultimate controller\]$/);
    expect(view('solo').chainText).toBe('solo (DE) [operating group and ultimate controller]');
    // Unmarked without marks (old callers), and nothing is claimed for a chain that does not resolve.
    expect(chainText([{ id: 'a', name: 'A', kind: 'Carrier', type: 'company', country: 'JP', source: '' }])).toBe(
      'A (JP)',
    );
  });

  it('is on every route hop', () => {
    const { view } = worldWith();
    expect(view('ctg')).toMatchObject({ group: { id: 'china-telecom-group' }, controller: { id: 'sasac' } });
  });
});

describe('inconsistent holdings (point 10)', () => {
  const HOSTILE = (order: 'jp-first' | 'cn-first') => {
    const jp = '{owner: jp-fund, share: 100}';
    const cn = '{owner: cn-ministry, share: 100}';
    return (
      doc('Owner', 'jp-fund', '{type: fund, country: JP, ownership: []}') +
      doc('Owner', 'cn-ministry', '{type: government, country: CN, ownership: []}') +
      doc(
        'Owner',
        'x-hold',
        `{type: company, country: JP, ownership: [${order === 'jp-first' ? `${jp}, ${cn}` : `${cn}, ${jp}`}]}`,
      ) +
      doc('Carrier', 'x-carrier', '{incorporatedIn: JP, ownership: [{owner: x-hold, share: 100}]}')
    );
  };

  it('are located errors: shares over 100 % and several control: true owners', () => {
    const text =
      HOSTILE('jp-first') +
      doc(
        'Owner',
        'y-hold',
        '{type: company, country: JP, ownership: [{owner: jp-fund, share: 30, control: true}, {owner: cn-ministry, share: 20, control: true}]}',
      );
    const { world } = worldWith(text);
    const diagnostics = checkHoldings(world);
    expect(diagnostics).toHaveLength(2);
    expect(diagnostics[0]).toMatchObject({
      file: 'extra.yaml',
      code: 'ownership',
      message: expect.stringContaining('shares sum to 200 %'),
    });
    expect(diagnostics[1]).toMatchObject({
      file: 'extra.yaml',
      code: 'ownership',
      message: expect.stringContaining('2 owners are marked control: true: jp-fund, cn-ministry'),
    });
    // Located at the entity's spec.ownership (its line in extra.yaml), not at the document's start.
    const lines = text.split('\n');
    expect(lines[diagnostics[0].line - 1]).toContain(
      'ownership: [{owner: jp-fund, share: 100}, {owner: cn-ministry, share: 100}]',
    );
    expect(lines[diagnostics[1].line - 1]).toContain('control: true}, {owner: cn-ministry, share: 20, control: true}]');
  });

  it('the shipped registry has none', () => {
    expect(checkHoldings(worldWith().world)).toEqual([]);
  });

  it('tolerate rounding: three thirds of 33.34 % are not over 100 %', () => {
    expect(
      holdingConflict([
        { owner: 'a', share: 33.33 },
        { owner: 'b', share: 33.33 },
        { owner: 'c', share: 33.34 },
      ]),
    ).toBeUndefined();
    expect(
      holdingConflict([
        { owner: 'a', share: 60 },
        { owner: 'b', share: 41 },
      ]),
    ).toContain('101 %');
  });

  it('leave the ownership unresolved instead of letting the first-listed owner win', () => {
    for (const order of ['jp-first', 'cn-first'] as const) {
      const { resolver } = worldWith(HOSTILE(order));
      const x = resolver.resolve('x-carrier');
      expect(x.resolved, order).toBe(false);
      expect(x.problem).toContain('x-hold');
      expect(x.problem).toContain('inconsistent');
      expect(x.candidates.map((c) => c.controller.id).sort()).toEqual(['cn-ministry', 'jp-fund']);
    }
  });

  it('make the carrier high-risk when any candidate owner leads to a high-risk controller, in either order', () => {
    for (const order of ['jp-first', 'cn-first'] as const) {
      const x = worldWith(HOSTILE(order)).view('x-carrier');
      expect(x.highRisk, order).toBe(true);
      expect(x.ownershipResolved).toBe(false);
      expect(x.riskReasons.join('; ')).toContain('possible ultimate controller cn-ministry (government) is in CN');
      expect(x.ownershipCandidates.map((c) => c.controller.id).sort()).toEqual(['cn-ministry', 'jp-fund']);
    }
  });

  it('take as candidates the owners that could control: > 50 % or control: true, else all', () => {
    expect(
      candidateEdges([
        { owner: 'a', share: 60 },
        { owner: 'b', share: 45 },
      ]),
    ).toEqual([0]);
    expect(
      candidateEdges([
        { owner: 'a', share: 50 },
        { owner: 'b', share: 30 },
        { owner: 'c', share: 30, control: false },
      ]),
    ).toEqual([0, 1]);
  });

  it('are judged high-risk further up too: a candidate whose own chain reaches a high-risk state', () => {
    const text =
      doc('Owner', 'jp-fund', '{type: fund, country: JP, ownership: []}') +
      doc('Owner', 'cn-state', '{type: government, country: CN, ownership: []}') +
      doc('Owner', 'sg-shell', '{type: company, country: SG, ownership: [{owner: cn-state, share: 100}]}') +
      doc(
        'Owner',
        'x-hold',
        '{type: company, country: JP, ownership: [{owner: jp-fund, share: 70}, {owner: sg-shell, share: 70}]}',
      ) +
      doc('Carrier', 'x-carrier', '{incorporatedIn: JP, ownership: [{owner: x-hold, share: 100}]}');
    const x = worldWith(text).view('x-carrier');
    expect(x.highRisk).toBe(true);
    expect(x.ownershipCandidates.find((c) => c.controller.id === 'cn-state')).toMatchObject({
      group: { id: 'sg-shell' },
    });
  });

  it('consistent holdings resolve as before', () => {
    const { resolver } = worldWith(
      doc('Owner', 'jp-fund', '{type: fund, country: JP, ownership: []}') +
        doc('Carrier', 'ok', '{incorporatedIn: JP, ownership: [{owner: jp-fund, share: 100}]}'),
    );
    expect(resolver.resolve('ok')).toMatchObject({ resolved: true, candidates: [], controller: { id: 'jp-fund' } });
  });
});
