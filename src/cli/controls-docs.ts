import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYamlText } from 'yaml';
import type { CompiledControl } from '../engine/compile.js';
import { controlParameters } from '../engine/evaluate.js';
import type { EffectiveProfile } from '../enrich/profile.js';
import type { ControlDefinition } from '../model/control.js';
import { compareText } from '../model/order.js';
import { FAMILY_ORDER, SEVERITIES, type Severity } from '../model/types.js';
import { controlsDir, packageRoot } from '../paths.js';

/** The catalog's documentation in this package, regenerated with `ixaudit controls docs docs/controls.md`. */
export const CONTROLS_DOC_PATH = join(packageRoot, 'docs', 'controls.md');

/** Where `ixaudit controls docs` writes without FILE: controls.md in the current folder (never the package's own docs). */
export const CONTROLS_DOC_DEFAULT_FILE = 'controls.md';

/** controls/catalog.yaml: the catalog's version, family names, citable documents and recorded meanings. */
export interface CatalogMeta {
  version: string;
  name: string;
  families: Record<string, string>;
  /** The documents a control may cite; for NIST SP 800-53 the control ids the spec lists. */
  references: Array<{ document: string; sections?: string[] }>;
  /** Per control, the fingerprint of its meaning and the catalog version that gave it that meaning. */
  meanings: Record<string, { since: string; meaning: string }>;
  /** What this version changes and why (printed under the version line of docs/controls.md). */
  changes: string[];
}

export function loadCatalogMeta(dir: string = controlsDir): CatalogMeta {
  const raw = parseYamlText(readFileSync(join(dir, 'catalog.yaml'), 'utf8')) ?? {};
  return {
    version: String(raw.version ?? ''),
    name: String(raw.name ?? ''),
    families: raw.families ?? {},
    references: raw.references ?? [],
    meanings: raw.meanings ?? {},
    changes: Array.isArray(raw.changes) ? raw.changes.map((c: unknown) => String(c)) : [],
  };
}

/** What one profile changes against another (normally the shipped default). */
export interface ProfileChanges {
  failOn?: { from: string; to: string };
  auditDate?: string;
  disabled: string[];
  severity: Array<{ control: string; from: Severity; to: Severity }>;
  parameters: Array<{ name: string; from: unknown; to: unknown }>;
}

/**
 * Differences between two effective profiles, in a stable order. Severity changes are against the
 * controls' own severities, so a profile that repeats the default's override shows nothing.
 */
export function profileChanges(
  profile: EffectiveProfile,
  base: EffectiveProfile,
  controls: readonly CompiledControl[],
): ProfileChanges {
  const baseDisabled = new Set(base.disabled);
  const severity = controls
    .map((c) => ({
      control: c.definition.id,
      from: base.severity[c.definition.id] ?? c.definition.severity,
      to: profile.severity[c.definition.id] ?? c.definition.severity,
    }))
    .filter((s) => s.from !== s.to);
  const names = [...new Set([...Object.keys(base.parameters), ...Object.keys(profile.parameters)])].sort(compareText);
  const parameters = names
    .filter((name) => JSON.stringify(base.parameters[name]) !== JSON.stringify(profile.parameters[name]))
    .map((name) => ({ name, from: base.parameters[name], to: profile.parameters[name] }));
  return {
    ...(profile.failOn !== base.failOn ? { failOn: { from: base.failOn, to: profile.failOn } } : {}),
    ...(profile.auditDateSource === 'profile' ? { auditDate: profile.auditDate } : {}),
    disabled: profile.disabled.filter((id) => !baseDisabled.has(id)),
    severity,
    parameters,
  };
}

export interface ShippedProfile {
  id: string;
  name: string;
  description: string;
  chain: string[];
  changes: ProfileChanges;
}

export interface ControlsDocInput {
  meta: CatalogMeta;
  controls: readonly CompiledControl[];
  /** The profile the parameter values are shown under (the shipped default for the committed file). */
  profile: EffectiveProfile;
  shippedProfiles: ShippedProfile[];
}

/** Sorts controls by family (in the spec's order), then by number: ICX-RT-9 before ICX-RT-10. */
export function catalogOrder(a: ControlDefinition, b: ControlDefinition): number {
  const family = FAMILY_ORDER.indexOf(a.family) - FAMILY_ORDER.indexOf(b.family);
  if (family !== 0) return family;
  const number = (id: string) => Number(/(\d+)$/.exec(id)?.[1] ?? 0);
  return number(a.id) - number(b.id) || compareText(a.id, b.id);
}

/** Every placeholder value shown in Markdown: lists joined, objects as compact JSON. */
function show(value: unknown): string {
  if (value === undefined) return '(not set)';
  return `\`${JSON.stringify(value)}\``;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** "ICX-RT-01" → "icx-rt-01": the anchor GitHub and most renderers give the heading "ICX-RT-01 — …". */
export function controlAnchor(definition: ControlDefinition): string {
  return `${definition.id}-${definition.title}`
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}

export function applicabilityText(definition: ControlDefinition): string {
  const a = definition.appliesTo;
  const subject: Record<string, string> = {
    operator: 'the operator',
    carrier: "each carrier used in the operator's routes or agreements",
    agreement: 'each interconnect agreement',
    route: 'each route',
    routingTable: 'each routing table',
    firewall: 'each firewall policy',
    aggregate: `per protocol, the \`${a.aggregate}\` aggregate over the operator's routes`,
  };
  const parts = [subject[a.subject]];
  if (a.statuses) parts.push(`${a.statuses.join(' or ')} routes only`);
  if (a.protocols) parts.push(`protocols ${a.protocols.join(', ')}`);
  if (a.networks) parts.push(`operators running ${a.networks.join(' or ')} (else not-applicable on Operator/<id>)`);
  return parts.join('; ');
}

function referenceText(r: { document: string; section?: string; note?: string }): string {
  return `${r.document}${r.section ? `, ${r.section}` : ''}${r.note ? ` — ${r.note}` : ''}`;
}

function celBlock(lines: string[]): string[] {
  return ['```cel', ...lines, '```'];
}

function checkSection(definition: ControlDefinition): string[] {
  const check = definition.check;
  const out: string[] = [oneLine(check.description), ''];
  const steps: string[] = [];
  if (check.applies)
    steps.push(
      `1. **Applies** when the expression below is true; otherwise \`not-applicable\`: “${oneLine(check.notApplicable ?? 'Not applicable to this subject.')}”`,
    );
  if (check.evidenced)
    steps.push(
      `${steps.length + 1}. **Evidenced** when the expression below is true; otherwise \`not-evidenced\`: “${oneLine(check.notEvidenced ?? 'Not evidenced: the submission does not say.')}”`,
    );
  steps.push(
    `${steps.length + 1}. **Passes** when \`pass\` is true, else **fails**${check.let ? ', after computing the `let` values in order' : ''}.`,
  );
  out.push(...steps, '');
  const cel: string[] = [];
  if (check.applies) cel.push(`applies:   ${oneLine(check.applies)}`);
  if (check.evidenced) cel.push(`evidenced: ${oneLine(check.evidenced)}`);
  for (const [name, expression] of Object.entries(check.let ?? {})) cel.push(`let ${name} = ${oneLine(expression)}`);
  cel.push(`pass:      ${oneLine(check.pass)}`);
  out.push(...celBlock(cel), '');
  const evidence = Object.keys(check.evidence ?? {});
  if (evidence.length > 0) out.push(`Evidence in each finding: ${evidence.map((e) => `\`${e}\``).join(', ')}.`, '');
  out.push(
    `Messages — pass: “${oneLine(definition.messages.pass)}” · fail: “${oneLine(definition.messages.fail)}”`,
    '',
  );
  return out;
}

function controlSection(control: CompiledControl, input: ControlsDocInput): string[] {
  const def = control.definition;
  const params = controlParameters(control, input.profile);
  const since = input.meta.meanings[def.id]?.since ?? '(not recorded)';
  const out = [
    `### ${def.id} — ${def.title}`,
    '',
    `**Severity** ${def.severity} · **Family** ${def.family} · **Meaning since** catalog ${since} · **Source** \`${control.file.replace(/^ixaudit:/, '')}\``,
    '',
    `**Applies to** ${applicabilityText(def)}.`,
    '',
    `**Requirement.** ${oneLine(def.requirement)}`,
    '',
    `**Rationale.** ${oneLine(def.rationale)}`,
    '',
    '**Check.**',
    '',
    ...checkSection(def),
  ];
  const parameterNames = Object.keys(def.parameters ?? {}).sort(compareText);
  if (parameterNames.length > 0) {
    out.push(
      '**Parameters.**',
      '',
      '| parameter | value under this profile | control default | meaning |',
      '|---|---|---|---|',
    );
    for (const name of parameterNames) {
      const spec = def.parameters![name];
      out.push(
        `| \`${name}\` | ${show(params[name])} | ${spec.default === undefined ? '—' : show(spec.default)} | ${oneLine(spec.description)} |`,
      );
    }
    out.push('');
  }
  out.push('**References.**', '', ...def.references.map((r) => `- ${referenceText(r)}`), '');
  out.push(`**Remediation.** ${oneLine(def.remediation)}`, '');
  return out;
}

function parametersSection(input: ControlsDocInput, controls: readonly CompiledControl[]): string[] {
  const readers = new Map<string, string[]>();
  const descriptions = new Map<string, string>();
  for (const c of controls) {
    for (const [name, spec] of Object.entries(c.definition.parameters ?? {})) {
      readers.set(name, [...(readers.get(name) ?? []), c.definition.id]);
      if (!descriptions.has(name)) descriptions.set(name, oneLine(spec.description));
    }
  }
  descriptions.set(
    'notEvidencedIsFailure',
    'When true, not-evidenced findings count as failures for the exit code and the operator result.',
  );
  readers.set('notEvidencedIsFailure', ['(the run)']);
  const names = [...new Set([...readers.keys(), ...Object.keys(input.profile.parameters)])].sort(compareText);
  const out = [
    '## Parameters',
    '',
    `Values under profile \`${input.profile.id}\`. A profile sets them under \`spec.parameters\`; a control's own default applies only where no profile sets one.`,
    '',
    '| parameter | value | read by | meaning |',
    '|---|---|---|---|',
  ];
  for (const name of names) {
    out.push(
      `| \`${name}\` | ${show(input.profile.parameters[name])} | ${(readers.get(name) ?? ['(no control)']).join(', ')} | ${descriptions.get(name) ?? ''} |`,
    );
  }
  out.push('');
  return out;
}

function changesText(changes: ProfileChanges): string[] {
  const lines: string[] = [];
  if (changes.failOn) lines.push(`- fail-on severity: ${changes.failOn.from} → ${changes.failOn.to}`);
  if (changes.auditDate) lines.push(`- audit date fixed at ${changes.auditDate}`);
  for (const id of changes.disabled) lines.push(`- disables ${id}`);
  for (const s of changes.severity) lines.push(`- ${s.control}: severity ${s.from} → ${s.to}`);
  for (const p of changes.parameters) lines.push(`- \`${p.name}\`: ${show(p.from)} → ${show(p.to)}`);
  return lines.length > 0 ? lines : ['- nothing: it is the baseline'];
}

/**
 * The facts enrichment derives before any check runs (src/enrich/submission.ts), in the words a reviewer
 * needs to read the CEL below. Kept here, beside the renderer, so the documentation says what the code does.
 */
const FACTS: Array<[string, string]> = [
  [
    '`carrier.controller`, `carrier.chain`, `carrier.ownershipResolved`',
    "The ultimate controller, found by following each entity's controlling owner (`control: true`, else the largest holding above 50 %); the chain from the carrier up to it with each step's share and country; whether it ends at a government, an individual or an entity whose ownership is declared.",
  ],
  ['`carrier.stateControlled`', 'The resolved controller is a government or a state enterprise.'],
  [
    '`….highRisk`, `….riskReasons`',
    "The carrier's controller country, incorporation or headquarters is in `highRiskJurisdictions`, or it has a listing in `highRiskListings`; the reasons say which.",
  ],
  [
    '`carrier.agreements`',
    "The operator's agreements with this carrier (a carrier with none is only a routing party).",
  ],
  [
    '`route.primary`, `route.backups`, `route.transit`, `route.hops`',
    'The carriers on a route with their position (`primary`, `backup n`, `transit n`), roles, risk, controller and the path of the field that names them within the route item (`at`, e.g. `backups.0.carrier`). A `location` that does not start at `spec` or `metadata` is read relative to the subject, so `risky[0].at` points at that backup.',
  ],
  [
    '`….unavoidable`',
    "Every high-risk carrier on the route belongs to the group that operates the destination PLMN (a Carrier's `identifiers.plmns`): exposure to that group's own network.",
  ],
  ['`….destinationNetwork`', "The carrier operates the route's destination PLMN itself."],
  [
    '`route.firewallExists`, `route.firewallMode`',
    "Whether the policy the route names exists, and how it protects the route's protocol: the section's `mode` (SMS uses the SS7 section), for N32 `sepp` or `absent`; empty when the policy does not say.",
  ],
  [
    '`operator.contracts`',
    "Per carrier, the operator's agreements with their services, whether each is current on the audit date (signed ≤ audit date ≤ expires) and its approved subcontractors.",
  ],
  [
    '`operator.signallingProtocols`',
    "The protocols the operator's networks put on the interconnect: gsm/umts → ss7, sms, gtp; lte and nr-nsa → diameter, gtp; nr-sa → n32.",
  ],
  [
    '`agreement.current`, `agreement.clauses`',
    'The agreement is in force on the audit date; its clauses exactly as submitted (an absent clause stays absent, so `has()` tells it from `false`).',
  ],
  [
    '`table.exportAgeDays`',
    "Whole days from the export's UTC date (a time without a zone is taken as written) to the audit date.",
  ],
  [
    '`auditDate`, `params`',
    "The audit date (YYYY-MM-DD) and the parameters in force: the profile's, over each control's own defaults.",
  ],
];

function factsSection(): string[] {
  return [
    '## What the checks read',
    '',
    'Checks are CEL expressions over facts the enrichment derives from the submission, so that each expression stays a plain comparison:',
    '',
    '| fact | meaning |',
    '|---|---|',
    ...FACTS.map(([fact, meaning]) => `| ${fact} | ${meaning} |`),
    '',
  ];
}

function profilesSection(input: ControlsDocInput): string[] {
  const out = [
    '## Shipped profiles',
    '',
    'Select one with `--profile ID`; a profile of your own can `extends:` one of them. `ixaudit controls list --profile ID` shows the same changes per control.',
    '',
  ];
  for (const p of input.shippedProfiles) {
    out.push(
      `### Profile \`${p.id}\` — ${p.name}`,
      '',
      oneLine(p.description),
      '',
      `Builds on: ${p.chain.join(' → ')}. Changes against \`default\`:`,
      '',
      ...changesText(p.changes),
      '',
    );
  }
  return out;
}

/** "Changes in version X": why findings may differ from the previous catalog version (catalog.yaml `changes`). */
function changesInVersion(meta: CatalogMeta): string[] {
  if (meta.changes.length === 0) return [];
  return [`**Changes in version ${meta.version}.**`, '', ...meta.changes.map((c) => `- ${oneLine(c)}`), ''];
}

/** docs/controls.md: generated from the control files, never edited by hand (a test compares them). */
export function renderControlsDoc(input: ControlsDocInput): string {
  const controls = [...input.controls].sort((a, b) => catalogOrder(a.definition, b.definition));
  const counts = SEVERITIES.map((s) => `${controls.filter((c) => c.definition.severity === s).length} ${s}`).join(', ');
  const out: string[] = [
    '# Control catalog',
    '',
    '<!-- Generated by `ixaudit controls docs` from controls/**/*.yaml and controls/catalog.yaml. Do not edit by hand: edit the control files and regenerate. -->',
    '',
    `${input.meta.name}, version **${input.meta.version}**: ${controls.length} controls (${counts}). Every findings.json records this version in \`run.catalog.version\`; a control's "meaning since" is the catalog version in which its applicability, severity, parameter defaults or check last changed.`,
    '',
    ...changesInVersion(input.meta),
    'Each control is one YAML file in `controls/<family>/<ID>.yaml` with a declarative check in CEL (see [architecture.md](architecture.md#controls)). A finding is `pass`, `fail`, `not-evidenced` (the submission does not say: a clause, field or document is missing, which is never a silent pass), `not-applicable` (with the reason), `waived` or `error`. When the operator submitted no document of the kind a control reads, the control reports `not-evidenced` on `Operator/<id>`.',
    '',
    '## Contents',
    '',
    '| control | severity | title | applies to |',
    '|---|---|---|---|',
    ...controls.map(
      (c) =>
        `| [${c.definition.id}](#${controlAnchor(c.definition)}) | ${c.definition.severity} | ${c.definition.title} | ${c.definition.appliesTo.subject}${c.definition.appliesTo.networks ? ` (${c.definition.appliesTo.networks.join('/')})` : ''} |`,
    ),
    '',
    ...parametersSection(input, controls),
    ...profilesSection(input),
    ...factsSection(),
  ];
  for (const family of FAMILY_ORDER) {
    const members = controls.filter((c) => c.definition.family === family);
    if (members.length === 0) continue;
    out.push(`## ${family} — ${input.meta.families[family] ?? family}`, '');
    for (const control of members) out.push(...controlSection(control, input));
  }
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
