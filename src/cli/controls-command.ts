import { buildWorld } from '../enrich/world.js';
import { resolveProfile } from '../enrich/profile.js';
import { controlParameters } from '../engine/evaluate.js';
import { loadFiles } from '../load/index.js';
import { formatDiagnostic } from '../model/types.js';
import { compileCatalog, loadBuiltins } from './run-audit.js';
import { style } from './summary.js';

/** `controls list` and `controls show ID`: the catalog as the chosen profile tailors it. */
export function controlsCommand(args: string[], selection: { id?: string; files?: string[] }, color: boolean): number {
  const [sub, id] = args;
  const catalog = compileCatalog();
  for (const d of catalog.diagnostics) console.error(formatDiagnostic(d));
  const builtins = loadBuiltins();
  const extra = loadFiles(selection.files ?? []);
  const { world } = buildWorld(builtins.documents, extra.documents);
  const { profile, diagnostics } = resolveProfile(world, { id: selection.id, today: new Date().toISOString().slice(0, 10) });
  for (const d of diagnostics) console.error(formatDiagnostic(d));
  const disabled = new Set(profile.disabled);

  if (sub === 'list') {
    console.log(`Controls under profile ${profile.id} (${profile.chain.join(' → ')}):`);
    for (const c of catalog.controls) {
      const def = c.definition;
      const severity = profile.severity[def.id] ?? def.severity;
      const changes = [
        disabled.has(def.id) ? 'disabled by profile' : '',
        severity !== def.severity ? `severity ${def.severity} → ${severity} by profile` : '',
      ].filter(Boolean);
      const line = `${def.id.padEnd(12)} ${severity.padEnd(8)} ${def.title}${changes.length ? `  [${changes.join('; ')}]` : ''}`;
      console.log(disabled.has(def.id) ? style(color, 'dim', line) : line);
    }
    return catalog.diagnostics.length > 0 ? 2 : 0;
  }
  if (sub === 'show' && id) {
    const control = catalog.controls.find((c) => c.definition.id === id.toUpperCase());
    if (!control) {
      console.error(`ixaudit: no control ${id}; see "ixaudit controls list"`);
      return 2;
    }
    const def = control.definition;
    const params = controlParameters(control, profile);
    const out = [
      `${def.id} — ${def.title}`,
      `Family: ${def.family}   Severity: ${profile.severity[def.id] ?? def.severity}${disabled.has(def.id) ? '   (disabled by profile)' : ''}`,
      `Applies to: ${def.appliesTo.subject}${def.appliesTo.aggregate ? ` (${def.appliesTo.aggregate})` : ''}${def.appliesTo.protocols ? `, protocols ${def.appliesTo.protocols.join(', ')}` : ''}${def.appliesTo.statuses ? `, ${def.appliesTo.statuses.join('/')} routes` : ''}${def.appliesTo.networks ? `, operators running ${def.appliesTo.networks.join('/')}` : ''}`,
      '',
      `Requirement: ${def.requirement.trim()}`,
      '',
      `Rationale: ${def.rationale.trim()}`,
      '',
      `Check (CEL): ${def.check.pass.trim()}`,
      ...Object.keys(def.parameters ?? {}).map((p) => `Parameter ${p} = ${JSON.stringify(params[p])} — ${def.parameters![p].description}`),
      '',
      'References:',
      ...def.references.map((r) => `  - ${r.document}${r.section ? `, ${r.section}` : ''}${r.note ? ` (${r.note})` : ''}`),
      '',
      `Remediation: ${def.remediation.trim()}`,
      `Source: ${control.file}`,
    ];
    console.log(out.join('\n'));
    return 0;
  }
  console.error('ixaudit: usage: ixaudit controls list | ixaudit controls show <ID>');
  return 2;
}
