import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYamlText } from 'yaml';
import { buildSubmission } from '../enrich/submission.js';
import { OwnershipResolver } from '../enrich/ownership.js';
import { resolveProfile, type EffectiveProfile } from '../enrich/profile.js';
import { buildWorld, releaseParsedRoutes, type World } from '../enrich/world.js';
import { compileControl, type CompiledControl } from '../engine/compile.js';
import { controlParameters, evaluateControl, fingerprint, LocationQueue, type RouteTally } from '../engine/evaluate.js';
import { applyWaivers } from '../engine/waivers.js';
import { loadControls } from '../load/controls.js';
import { collectFiles, loadFiles, type LoadResult } from '../load/index.js';
import type { YamlLimits } from '../load/yaml.js';
import { compareWithBaseline, type PreviousFindings } from '../engine/baseline.js';
import type { Finding, WaiverOutcome } from '../model/finding.js';
import { byKeys, compareText } from '../model/order.js';
import type { AuditReport, AuditResult, Inventory, OperatorSummary, SummarisedFindings } from '../model/report.js';
import { excerptReader } from '../load/excerpt.js';
import { inventoryOf } from '../enrich/inventory.js';
import { SEVERITIES, STATUSES, severityRank, type Diagnostic, type Severity, type Status } from '../model/types.js';
import { controlsDir, packageRoot, profilesDir, registryDir } from '../paths.js';
import { appendAll } from '../model/arrays.js';

export const FINDINGS_SCHEMA_VERSION = '1.0';

export interface AuditOptions {
  paths: string[];
  /** Profile id, chosen with --profile. */
  profileId?: string;
  /** Extra profile files (from --profile FILE). */
  profileFiles?: string[];
  date?: string;
  today: string;
  failOn?: Severity | 'none';
  controlsDir?: string;
  /** Parser limits (--limit); defaults in src/load/yaml.ts. */
  limits?: YamlLimits;
  /** Operators with more routes than this get their passing / not-applicable route findings counted, not listed (--list-all lifts it). */
  listRouteFindingsUpTo?: number;
  /** The --out folder: never read as input even when it lies inside an input folder. */
  outDir?: string;
  /** --baseline: the previous run's findings, and the folder they came from. */
  baseline?: { source: string; previous: PreviousFindings };
}

export function toolVersion(): string {
  return JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version;
}

export function catalogVersion(dir: string = controlsDir): string {
  return String(parseYamlText(readFileSync(join(dir, 'catalog.yaml'), 'utf8')).version);
}

/** The shipped registry and profiles: loaded like user input, marked built-in so users can override them. */
export function loadBuiltins(): LoadResult {
  const { files } = collectFiles([registryDir, profilesDir]);
  return loadFiles(files, { builtin: true });
}

export function compileCatalog(dir?: string): { controls: CompiledControl[]; diagnostics: Diagnostic[] } {
  const loaded = loadControls(dir);
  const diagnostics = [...loaded.diagnostics];
  const controls: CompiledControl[] = [];
  for (const control of loaded.controls) {
    const result = compileControl(control);
    appendAll(diagnostics, result.diagnostics);
    if (result.compiled) controls.push(result.compiled);
  }
  return { controls, diagnostics };
}

const ATTENTION = new Set(['fail', 'not-evidenced', 'waived', 'error']);

/** Everything loaded, validated and resolved before any operator is evaluated. */
export interface PreparedAudit {
  options: AuditOptions;
  inputs: LoadResult['inputs'];
  /** Decoded text of every loaded file, for excerpts. */
  texts: Map<string, string>;
  world: World;
  profile: EffectiveProfile;
  controls: CompiledControl[];
  diagnostics: Diagnostic[];
  /** Operators in the order they are audited and reported. */
  operatorIds: string[];
}

/** What auditing one operator produced; plain data, so it can come back from a worker thread. */
export interface OperatorOutcome {
  operatorId: string;
  findings: Finding[];
  summarised: SummarisedFindings[];
  waivers: WaiverOutcome[];
  inventory: Inventory;
  diagnostics: Diagnostic[];
}

/** load → validate → resolve references and the profile: the part every operator shares. */
export function prepareAudit(options: AuditOptions): PreparedAudit {
  const builtins = loadBuiltins();
  const collected = collectFiles([...options.paths, ...(options.profileFiles ?? [])], options.outDir ? [options.outDir] : []);
  const user = loadFiles(collected.files, { limits: options.limits });
  const catalog = compileCatalog(options.controlsDir);
  const diagnostics: Diagnostic[] = [...builtins.diagnostics, ...collected.diagnostics, ...user.diagnostics, ...catalog.diagnostics];

  const { world, diagnostics: worldDiagnostics } = buildWorld(builtins.documents, user.documents);
  appendAll(diagnostics, worldDiagnostics);
  const { profile, diagnostics: profileDiagnostics } = resolveProfile(world, { id: options.profileId, date: options.date, today: options.today });
  appendAll(diagnostics, profileDiagnostics);
  if (options.failOn) profile.failOn = options.failOn;

  const disabled = new Set(profile.disabled);
  return {
    options,
    inputs: [...builtins.inputs, ...user.inputs].sort(byKeys((i) => i.file)),
    texts: new Map([...builtins.texts, ...user.texts]),
    world,
    profile,
    controls: catalog.controls.filter((c) => !disabled.has(c.definition.id)),
    diagnostics,
    operatorIds: [...world.submissions.keys()].sort(compareText),
  };
}

/** Default of --list-all's limit: beyond this many routes, an operator's passing route findings are counted. */
export const LIST_ROUTE_FINDINGS_UP_TO = 2000;

/** Counts route findings per control and status, keeping a few example subjects. */
function routeTally(operatorId: string): { tally: RouteTally; summaries: () => SummarisedFindings[] } {
  const groups = new Map<string, SummarisedFindings>();
  return {
    tally: (control, status, count, examples) => {
      const key = `${control}\u0000${status}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { operator: operatorId, control, status, count: 0, examples: [] }));
      group.count += count;
      for (const example of examples) if (group.examples.length < 3) group.examples.push(example);
    },
    summaries: () => [...groups.values()],
  };
}

/** enrich → evaluate → waivers for one operator. Never throws: a bug becomes an error finding for that operator only. */
export function auditOperator(
  world: World,
  profile: EffectiveProfile,
  controls: CompiledControl[],
  operatorId: string,
  resolver = new OwnershipResolver(world),
  listRouteFindingsUpTo = LIST_ROUTE_FINDINGS_UP_TO,
): OperatorOutcome {
  const operatorDoc = world.operators.get(operatorId)!;
  const docs = world.submissions.get(operatorId)!;
  const inventory: Inventory = { operators: [], routes: [], carriers: [], agreements: [] };
  const knownControls = new Set(controls.map((c) => c.definition.id));
  try {
    if (process.env.IXAUDIT_FAULT_OPERATOR === operatorId) throw new Error('fault injected by IXAUDIT_FAULT_OPERATOR');
    const submission = buildSubmission(world, resolver, profile, operatorDoc, docs);
    const counted = submission.routes.length > listRouteFindingsUpTo ? routeTally(operatorId) : undefined;
    const locations = new LocationQueue();
    const findings = controls.flatMap((control) => evaluateControl(control, submission, profile, counted?.tally, locations));
    locations.resolve();
    const waivers = applyWaivers(findings, docs.waivers, profile.auditDate, knownControls);
    inventoryOf(submission, inventory);
    return { operatorId, findings, summarised: counted?.summaries() ?? [], waivers, inventory, diagnostics: resolver.diagnostics };
  } catch (err) {
    // A bug must not cost the other operators their audit: record it against this operator and go on.
    const message = `Internal error while auditing ${operatorId}: ${(err as Error)?.message ?? err}. The other operators were audited; please report it.`;
    return { operatorId, findings: [operatorErrorFinding(operatorId, operatorDoc.positions.locate(['metadata', 'id']), message)], summarised: [], waivers: [], inventory, diagnostics: resolver.diagnostics };
  }
}

/** Everything after evaluation: excerpts, sorting, summary, baseline. Same outcomes in, same bytes out. */
export function assembleReport(prepared: PreparedAudit, outcomes: OperatorOutcome[]): AuditReport {
  const { options, world, profile, controls } = prepared;
  const findings = outcomes.flatMap((o) => o.findings);
  const summarised = outcomes.flatMap((o) => o.summarised).sort(byKeys((s) => s.operator, (s) => s.control, (s) => s.status));
  const waivers = outcomes.flatMap((o) => o.waivers);
  const inventory: Inventory = { operators: [], routes: [], carriers: [], agreements: [] };
  for (const o of outcomes) {
    appendAll(inventory.operators, o.inventory.operators);
    appendAll(inventory.routes, o.inventory.routes);
    appendAll(inventory.carriers, o.inventory.carriers);
    appendAll(inventory.agreements, o.inventory.agreements);
  }
  const diagnostics = [...prepared.diagnostics, ...outcomes.flatMap((o) => o.diagnostics)];
  const excerpt = excerptReader(undefined, prepared.texts);
  for (const f of findings) if (ATTENTION.has(f.status)) f.excerpt = excerpt(f.location.file, f.location.line);

  findings.sort(byKeys<Finding>((f) => f.operator, (f) => f.control, (f) => f.subject, (f) => String(f.location.line).padStart(9, '0')));
  waivers.sort(byKeys<WaiverOutcome>((w) => w.operator, (w) => w.id));
  const errors = dedupeDiagnostics(diagnostics);

  const result: AuditResult = {
    schemaVersion: FINDINGS_SCHEMA_VERSION,
    run: {
      tool: { name: 'ixaudit', version: toolVersion() },
      catalog: { version: catalogVersion(options.controlsDir), controls: controls.length },
      auditDate: profile.auditDate,
      auditDateSource: profile.auditDateSource,
      profile: {
        id: profile.id,
        chain: profile.chain,
        file: profile.file,
        failOn: profile.failOn,
        disabled: profile.disabled,
        severity: sortedRecord(profile.severity),
        parameters: sortedRecord(profile.parameters),
      },
      inputs: prepared.inputs,
    },
    summary: summarise(findings, summarised, world, profile, errors.length, new Map(controls.map((c) => [c.definition.id, profile.severity[c.definition.id] ?? c.definition.severity]))),
    controls: controls
      .map((c) => ({
        id: c.definition.id,
        family: c.definition.family,
        title: c.definition.title,
        requirement: c.definition.requirement,
        rationale: c.definition.rationale.trim(),
        remediation: c.definition.remediation.trim(),
        severity: profile.severity[c.definition.id] ?? c.definition.severity,
        references: c.definition.references,
        parameters: pick(controlParameters(c, profile), Object.keys(c.definition.parameters ?? {})),
      }))
      .sort(byKeys((c) => c.id)),
    findings,
    ...(summarised.length > 0 ? { summarised } : {}),
    waivers,
    errors,
  };
  if (options.baseline) {
    // Routes of operators whose passing findings were counted, not listed: their subjects still exist.
    const counted = new Set(summarised.map((s) => s.operator));
    const countedSubjects = new Set(inventory.routes.filter((r) => counted.has(r.operator)).map((r) => `${r.operator}\u0000${r.ref}`));
    result.baseline = compareWithBaseline(findings, options.baseline.previous, options.baseline.source, countedSubjects);
  }
  return { result, inventory: sortInventory(inventory) };
}

/** `ixaudit validate`: syntax, schema, references, profile, ownership cycles — no controls evaluated. */
export function validateOnly(options: AuditOptions): Diagnostic[] {
  const prepared = prepareAudit(options);
  const resolver = new OwnershipResolver(prepared.world);
  for (const id of prepared.world.carriers.keys()) resolver.resolve(id);
  return dedupeDiagnostics([...prepared.diagnostics, ...resolver.diagnostics]);
}

/**
 * Audits every operator once, in order, in this thread. Each operator's parsed routes are released when
 * its audit is done (see releaseParsedRoutes), so `prepared` cannot be audited a second time.
 */
export function auditAll(prepared: PreparedAudit, onOutcome?: (outcome: OperatorOutcome) => void): OperatorOutcome[] {
  const resolver = new OwnershipResolver(prepared.world);
  return prepared.operatorIds.map((id) => {
    const outcome = auditOperator(prepared.world, prepared.profile, prepared.controls, id, resolver, prepared.options.listRouteFindingsUpTo);
    releaseParsedRoutes(prepared.world.submissions.get(id)!);
    onOutcome?.(outcome);
    return outcome;
  });
}

/** The whole audit in this thread: load → validate → enrich → evaluate → waivers → report model. */
export function runAudit(options: AuditOptions): AuditReport {
  const prepared = prepareAudit(options);
  return assembleReport(prepared, auditAll(prepared));
}

function sortInventory(inventory: Inventory): Inventory {
  // A carrier used by several operators appears once, with every operator that uses it.
  const carriers = new Map<string, Inventory['carriers'][number]>();
  for (const c of inventory.carriers) {
    const known = carriers.get(c.id);
    if (known) known.usedBy = [...new Set([...known.usedBy, ...c.usedBy])].sort(compareText);
    else carriers.set(c.id, c);
  }
  return {
    operators: inventory.operators.sort(byKeys((o) => o.id)),
    routes: inventory.routes.sort(byKeys((r) => r.operator, (r) => r.table)),
    carriers: [...carriers.values()].sort(byKeys((c) => c.id)),
    agreements: inventory.agreements.sort(byKeys((a) => a.operator, (a) => a.id)),
  };
}

/** The finding that stands in for an operator whose audit could not complete (a bug or a dead worker). */
export function operatorErrorFinding(operator: string, location: Finding['location'], message: string): Finding {
  return {
    control: 'ICX-ENGINE',
    title: 'Audit of this operator could not complete',
    family: 'ENGINE',
    severity: 'critical',
    status: 'error',
    operator,
    subject: `Operator/${operator}`,
    location: { file: location.file, line: location.line, column: location.column },
    message,
    evidence: {},
    remediation: 'Re-run; if it fails again, report it to the ixaudit maintainers with the input files.',
    fingerprint: fingerprint('ICX-ENGINE', operator, `Operator/${operator}`),
  };
}

/**
 * Whether a finding sets exit code 1: it failed (or, when the profile sets notEvidencedIsFailure, was not
 * evidenced) at or above the fail-on severity.
 */
export function failsThreshold(finding: Finding, failOn: Severity | 'none', notEvidencedIsFailure = false): boolean {
  const failed = finding.status === 'fail' || (notEvidencedIsFailure && finding.status === 'not-evidenced');
  return failOn !== 'none' && failed && severityRank(finding.severity) <= severityRank(failOn);
}

export function blocksRun(result: AuditResult, finding: Finding): boolean {
  return failsThreshold(finding, result.run.profile.failOn, result.run.profile.parameters.notEvidencedIsFailure === true);
}

function emptyCounts(): Record<Status, number> {
  return Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
}

function summarise(
  findings: Finding[],
  summarised: SummarisedFindings[],
  world: World,
  profile: EffectiveProfile,
  errorCount: number,
  severities: Map<string, Severity>,
): AuditResult['summary'] {
  const byStatus = emptyCounts();
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, emptyCounts()])) as Record<Severity, Record<Status, number>>;
  const operators = new Map<string, OperatorSummary>();
  for (const [id, doc] of [...world.operators.entries()].sort(([a], [b]) => compareText(a, b))) {
    operators.set(id, { id, name: doc.value.metadata.name ?? id, country: doc.value.spec.country, counts: emptyCounts(), result: 'pass' });
  }
  for (const f of findings) {
    byStatus[f.status]++;
    bySeverity[f.severity][f.status]++;
    const op = operators.get(f.operator)!;
    op.counts[f.status]++;
    if (failsThreshold(f, profile.failOn, profile.parameters.notEvidencedIsFailure === true)) op.result = 'fail';
  }
  // Counted findings still count: totals are the same whether findings are listed or summarised.
  for (const group of summarised) {
    byStatus[group.status] += group.count;
    bySeverity[severities.get(group.control)!][group.status] += group.count;
    operators.get(group.operator)!.counts[group.status] += group.count;
  }
  const list = [...operators.values()];
  return { result: list.some((o) => o.result === 'fail') ? 'fail' : 'pass', byStatus, bySeverity, operators: list, errors: errorCount };
}

function dedupeDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics
    .filter((d) => {
      const key = `${d.file}\u0000${d.line}\u0000${d.column}\u0000${d.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => compareText(a.file, b.file) || a.line - b.line || a.column - b.column || compareText(a.message, b.message));
}

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => compareText(a, b)));
}

function pick(record: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.sort(compareText).filter((k) => k in record).map((k) => [k, record[k]]));
}
