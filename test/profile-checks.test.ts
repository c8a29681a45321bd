import { describe, expect, it } from 'vitest';
import { compileCatalog, loadBuiltins } from '../src/audit/run-audit.js';
import { BASE_PROFILE_ID, profileCatalog, resolveProfile, RUN_PARAMETERS } from '../src/enrich/profile.js';
import { buildWorld } from '../src/enrich/world.js';
import { loadText } from '../src/load/index.js';
import type { LoadedDocument } from '../src/model/types.js';

// Point 9: what an auditor's profile names must exist. An unknown control id, parameter or `extends` is
// a located 'profile' error (the caller does not run the audit), never skipped.

const builtins = loadBuiltins().documents;
const controls = compileCatalog().controls;
const defaultDoc = builtins.find((d) => d.kind === 'AuditProfile' && d.id === BASE_PROFILE_ID)!;
const catalog = profileCatalog(controls, defaultDoc);

/** Profiles as the auditor supplies them (--profile FILE), added to the shipped ones. */
function withProfiles(text: string) {
  const loaded = loadText('auditor.yaml', text);
  expect(loaded.diagnostics).toEqual([]);
  const { world } = buildWorld(builtins, []);
  for (const doc of loaded.documents) world.profiles.set(doc.id, doc as LoadedDocument<'AuditProfile'>);
  return { world, lines: text.split('\n') };
}

const profile = (id: string, spec: string) =>
  `---\napiVersion: ixaudit/v1\nkind: AuditProfile\nmetadata: {id: ${id}}\nspec:\n${spec}`;

describe('profile catalog', () => {
  it("knows every control id, every parameter a control declares or the default profile sets, and the run's own", () => {
    expect(catalog.controlIds.size).toBe(controls.length);
    expect(catalog.controlIds.has('ICX-OWN-04')).toBe(true);
    for (const name of [
      'highRiskJurisdictions',
      'maxCarrierShare',
      'protocolServices',
      'notEvidencedIsFailure',
      ...RUN_PARAMETERS,
    ])
      expect(catalog.parameterNames.has(name), name).toBe(true);
    expect(catalog.parameterNames.has('maxRegistryAgeMonths')).toBe(true);
  });

  it('passes the shipped profiles', () => {
    const { world } = withProfiles('');
    for (const id of ['default', 'strict'])
      expect(resolveProfile(world, { id, today: '2026-07-01' }, catalog).diagnostics, id).toEqual([]);
  });
});

describe('resolveProfile reports, located', () => {
  it('a control id in controls.disable the catalog does not have', () => {
    const { world, lines } = withProfiles(profile('reg', '  controls:\n    disable: [ICX-CT-09, ICX-OWN-4]\n'));
    const { diagnostics } = resolveProfile(world, { id: 'reg', today: '2026-07-01' }, catalog);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      file: 'auditor.yaml',
      code: 'profile',
      message: expect.stringContaining(
        'disables ICX-OWN-4, which the catalog does not have (did you mean ICX-OWN-04?)',
      ),
    });
    expect(lines[diagnostics[0].line - 1].slice(diagnostics[0].column - 1)).toMatch(/^ICX-OWN-4/);
  });

  it('a control id in controls.severity the catalog does not have, at its key', () => {
    const { world, lines } = withProfiles(
      profile('reg', '  controls:\n    severity:\n      ICX-RT-04: critical\n      ICX-RT-7: high\n'),
    );
    const { diagnostics } = resolveProfile(world, { id: 'reg', today: '2026-07-01' }, catalog);
    expect(diagnostics.map((d) => d.code)).toEqual(['profile']);
    expect(diagnostics[0].message).toContain('ICX-RT-7');
    expect(lines[diagnostics[0].line - 1].trim()).toBe('ICX-RT-7: high');
  });

  it('an unknown parameter name, at its key', () => {
    const { world, lines } = withProfiles(
      profile('reg', '  parameters:\n    maxCarrierShare: 50\n    maxCarierShare: 40\n'),
    );
    const { diagnostics } = resolveProfile(world, { id: 'reg', today: '2026-07-01' }, catalog);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      code: 'profile',
      message: expect.stringContaining('unknown parameter "maxCarierShare"'),
    });
    expect(lines[diagnostics[0].line - 1].trim()).toBe('maxCarierShare: 40');
  });

  it('a parameter named __proto__ is an unknown parameter, not a prototype', () => {
    const { world } = withProfiles(profile('reg', '  parameters:\n    __proto__: {maxCarrierShare: 1}\n'));
    const { profile: effective, diagnostics } = resolveProfile(world, { id: 'reg', today: '2026-07-01' }, catalog);
    expect(diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('unknown parameter "__proto__"')]);
    expect(effective.parameters.maxCarrierShare).toBe(60);
  });

  it('an extends that does not resolve, at the extends value, anywhere up the chain', () => {
    const { world, lines } = withProfiles(
      profile('reg', '  extends: middle\n') + profile('middle', '  extends: strictt\n'),
    );
    const { diagnostics, profile: effective } = resolveProfile(world, { id: 'reg', today: '2026-07-01' }, catalog);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      code: 'profile',
      message: expect.stringContaining('profile middle extends "strictt", which is no AuditProfile'),
    });
    expect(lines[diagnostics[0].line - 1].trim()).toBe('extends: strictt');
    expect(effective.chain).toEqual(['reg', 'middle', 'default']);
  });

  it('a loop in extends', () => {
    const { world } = withProfiles(profile('a', '  extends: b\n') + profile('b', '  extends: a\n'));
    const { diagnostics } = resolveProfile(world, { id: 'a', today: '2026-07-01' }, catalog);
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: 'profile', message: expect.stringContaining('loops back to "a"') }),
    ]);
  });

  it('an unknown --profile id as a profile error (the run must not go on under the default)', () => {
    const { world } = withProfiles('');
    const { diagnostics } = resolveProfile(world, { id: 'nope', today: '2026-07-01' }, catalog);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: 'profile',
        file: '--profile',
        message: expect.stringContaining('no AuditProfile with id "nope"'),
      }),
    ]);
  });

  it('without a catalog (display-only callers) names are not checked', () => {
    const { world } = withProfiles(profile('reg', '  controls:\n    disable: [ICX-OWN-4]\n'));
    expect(resolveProfile(world, { id: 'reg', today: '2026-07-01' }).diagnostics).toEqual([]);
  });
});

describe('acceptSubmissionWaivers', () => {
  it('defaults to false, is inherited through extends, and the selected profile wins', () => {
    const { world } = withProfiles(
      profile('self', '  acceptSubmissionWaivers: true\n') +
        profile('child', '  extends: self\n') +
        profile('off', '  extends: self\n  acceptSubmissionWaivers: false\n'),
    );
    const accepts = (id: string) =>
      resolveProfile(world, { id, today: '2026-07-01' }, catalog).profile.acceptSubmissionWaivers;
    expect(accepts('default')).toBe(false);
    expect(accepts('self')).toBe(true);
    expect(accepts('child')).toBe(true);
    expect(accepts('off')).toBe(false);
  });

  it('and maxRegistryAgeMonths are allowed by the profile schema', () => {
    const loaded = loadText(
      'auditor.yaml',
      profile('p', '  acceptSubmissionWaivers: true\n  parameters: {maxRegistryAgeMonths: 6}\n'),
    );
    expect(loaded.diagnostics).toEqual([]);
    const bad = loadText('auditor.yaml', profile('p', '  acceptSubmissionWaivers: yes please\n'));
    expect(bad.diagnostics.map((d) => d.code)).toEqual(['schema']);
  });
});
