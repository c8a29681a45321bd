import { resolve } from 'node:path';
import { buildWorld, type World } from '../enrich/world.js';
import { BASE_PROFILE_ID, resolveProfile, type EffectiveProfile } from '../enrich/profile.js';
import type { CompiledControl } from '../engine/compile.js';
import { controlParameters } from '../engine/evaluate.js';
import { loadFiles } from '../load/index.js';
import { compareText } from '../model/order.js';
import { formatDiagnostic, type Diagnostic } from '../model/types.js';
import { writeFileAtomic } from '../report/write-atomic.js';
import {
  CONTROLS_DOC_DEFAULT_FILE,
  catalogOrder,
  loadCatalogMeta,
  profileChanges,
  renderControlsDoc,
  type ProfileChanges,
  type ShippedProfile,
} from './controls-docs.js';
import { compileCatalog, loadBuiltins } from '../audit/run-audit.js';
import { style } from './summary.js';

const USAGE =
  'ixaudit: usage: ixaudit controls list [--profile ID|FILE] | ixaudit controls show <ID> | ixaudit controls docs [FILE]\nRun "ixaudit controls --help" for usage.';

/** The catalog with the selected profile and the shipped default it is compared with. */
interface CatalogContext {
  controls: CompiledControl[];
  world: World;
  profile: EffectiveProfile;
  base: EffectiveProfile;
  diagnostics: Diagnostic[];
}

function catalogContext(selection: { id?: string; files?: string[] }): CatalogContext {
  const catalog = compileCatalog();
  const builtins = loadBuiltins();
  const extra = loadFiles(selection.files ?? []);
  for (const doc of builtins.documents) doc.origin = 'builtin';
  for (const doc of extra.documents) doc.origin = 'auditor';
  const { world } = buildWorld([...builtins.documents, ...extra.documents], []);
  // No clock in the catalog's documentation: a profile without auditDate simply shows none.
  const today = '';
  const selected = resolveProfile(world, { id: selection.id, today });
  const base = resolveProfile(world, { id: BASE_PROFILE_ID, today }).profile;
  const controls = [...catalog.controls].sort((a, b) => catalogOrder(a.definition, b.definition));
  return {
    controls,
    world,
    profile: selected.profile,
    base,
    diagnostics: [...catalog.diagnostics, ...extra.diagnostics, ...selected.diagnostics],
  };
}

/** Every profile shipped in profiles/, with what it changes against the default. */
function shippedProfiles(context: CatalogContext): ShippedProfile[] {
  return [...context.world.profiles.values()]
    .filter((doc) => doc.builtin)
    .sort((a, b) => (a.id === BASE_PROFILE_ID ? -1 : b.id === BASE_PROFILE_ID ? 1 : compareText(a.id, b.id)))
    .map((doc) => {
      const profile = resolveProfile(context.world, { id: doc.id, today: '' }).profile;
      return {
        id: doc.id,
        name: doc.value.metadata.name ?? doc.id,
        description: doc.value.spec.description ?? '',
        chain: profile.chain,
        changes: profileChanges(profile, context.base, context.controls),
      };
    });
}

/** docs/controls.md as `ixaudit controls docs docs/controls.md` writes it (the shipped default profile unless one is chosen). */
export function controlsDocText(selection: { id?: string; files?: string[] } = {}): {
  text: string;
  diagnostics: Diagnostic[];
} {
  const context = catalogContext(selection);
  const text = renderControlsDoc({
    meta: loadCatalogMeta(),
    controls: context.controls,
    profile: context.profile,
    shippedProfiles: shippedProfiles(context),
  });
  return { text, diagnostics: context.diagnostics };
}

/** One line per profile-wide change, for the head of `controls list`. */
function profileSummary(changes: ProfileChanges, controls: readonly CompiledControl[]): string[] {
  const read = new Set(controls.flatMap((c) => Object.keys(c.definition.parameters ?? {})));
  const lines: string[] = [];
  if (changes.failOn) lines.push(`  fail-on ${changes.failOn.from} → ${changes.failOn.to}`);
  if (changes.auditDate) lines.push(`  audit date ${changes.auditDate}`);
  // Parameters no single control declares (e.g. notEvidencedIsFailure) are shown here; the rest per control.
  for (const p of changes.parameters.filter((p) => !read.has(p.name)))
    lines.push(`  ${p.name} ${JSON.stringify(p.from)} → ${JSON.stringify(p.to)}`);
  return lines;
}

/** `controls list`, `controls show ID` and `controls docs [FILE]`: the catalog as the chosen profile tailors it. */
export function controlsCommand(args: string[], selection: { id?: string; files?: string[] }, color: boolean): number {
  const [sub, arg] = args;
  const context = catalogContext(selection);
  for (const d of context.diagnostics) console.error(formatDiagnostic(d));
  const { controls, profile, base } = context;
  const disabled = new Set(profile.disabled);
  const failed = context.diagnostics.length > 0 ? 2 : 0;

  if (sub === 'list') {
    const changes = profileChanges(profile, base, controls);
    console.log(
      `Controls of catalog ${loadCatalogMeta().version} under profile ${profile.id} (${profile.chain.join(' → ')}):`,
    );
    const summary = profileSummary(changes, controls);
    if (summary.length > 0) console.log([`Changes against ${BASE_PROFILE_ID}:`, ...summary].join('\n'));
    for (const c of controls) {
      const def = c.definition;
      const severity = profile.severity[def.id] ?? def.severity;
      const ownParams = controlParameters(c, profile);
      const baseParams = controlParameters(c, base);
      const parameterChanges = Object.keys(def.parameters ?? {})
        .sort(compareText)
        .filter((name) => JSON.stringify(ownParams[name]) !== JSON.stringify(baseParams[name]))
        .map((name) => `${name} ${JSON.stringify(baseParams[name])} → ${JSON.stringify(ownParams[name])} by profile`);
      const notes = [
        disabled.has(def.id) ? 'disabled by profile' : '',
        severity !== def.severity ? `severity ${def.severity} → ${severity} by profile` : '',
        ...parameterChanges,
      ].filter(Boolean);
      const line = `${def.id.padEnd(12)} ${severity.padEnd(8)} ${def.title}${notes.length ? `  [${notes.join('; ')}]` : ''}`;
      console.log(disabled.has(def.id) ? style(color, 'dim', line) : line);
    }
    return failed;
  }
  if (sub === 'show' && arg) {
    const control = controls.find((c) => c.definition.id === arg.toUpperCase());
    if (!control) {
      console.error(`ixaudit: no control ${arg}; see "ixaudit controls list"`);
      return 2;
    }
    const def = control.definition;
    const meta = loadCatalogMeta();
    const params = controlParameters(control, profile);
    const out = [
      `${def.id} — ${def.title}`,
      `Family: ${def.family}   Severity: ${profile.severity[def.id] ?? def.severity}${disabled.has(def.id) ? '   (disabled by profile)' : ''}   Catalog: ${meta.version} (this meaning since ${meta.meanings[def.id]?.since ?? 'unrecorded'})`,
      `Applies to: ${def.appliesTo.subject}${def.appliesTo.aggregate ? ` (${def.appliesTo.aggregate})` : ''}${def.appliesTo.protocols ? `, protocols ${def.appliesTo.protocols.join(', ')}` : ''}${def.appliesTo.statuses ? `, ${def.appliesTo.statuses.join('/')} routes` : ''}${def.appliesTo.networks ? `, operators running ${def.appliesTo.networks.join('/')}` : ''}`,
      '',
      `Requirement: ${def.requirement.trim()}`,
      '',
      `Rationale: ${def.rationale.trim()}`,
      '',
      ...(def.check.applies ? [`Applies when (CEL): ${def.check.applies.trim()}`] : []),
      ...(def.check.evidenced ? [`Evidenced when (CEL): ${def.check.evidenced.trim()}`] : []),
      `Check (CEL): ${def.check.pass.trim()}`,
      ...Object.keys(def.parameters ?? {}).map(
        (p) => `Parameter ${p} = ${JSON.stringify(params[p])} — ${def.parameters![p].description}`,
      ),
      '',
      'References:',
      ...def.references.map(
        (r) => `  - ${r.document}${r.section ? `, ${r.section}` : ''}${r.note ? ` (${r.note})` : ''}`,
      ),
      '',
      `Remediation: ${def.remediation.trim()}`,
      `Source: ${control.file}`,
    ];
    console.log(out.join('\n'));
    return failed;
  }
  if (sub === 'docs' && args.length <= 2) {
    // Without FILE: controls.md here, never the package's own docs/controls.md (`ixaudit controls docs docs/controls.md`).
    const path = resolve(arg ?? CONTROLS_DOC_DEFAULT_FILE);
    const { text } = controlsDocText(selection);
    writeFileAtomic(path, text);
    console.log(`Wrote ${path} (${controls.length} controls, profile ${profile.id})`);
    return failed;
  }
  console.error(USAGE);
  return 2;
}
