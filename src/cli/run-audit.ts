import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYamlText } from 'yaml';
import { buildSubmission } from '../enrich/submission.js';
import { OwnershipResolver } from '../enrich/ownership.js';
import { resolveProfile, type EffectiveProfile } from '../enrich/profile.js';
import { buildWorld } from '../enrich/world.js';
import { compileControl, type CompiledControl } from '../engine/compile.js';
import { controlParameters, evaluateControl, fingerprint } from '../engine/evaluate.js';
import { applyWaivers } from '../engine/waivers.js';
import { loadControls } from '../load/controls.js';
import { collectFiles, loadFiles, type LoadResult } from '../load/index.js';
import type { YamlLimits } from '../load/yaml.js';
import { compareWithBaseline, type PreviousFindings } from '../engine/baseline.js';
import type { Finding, WaiverOutcome } from '../model/finding.js';
import { byKeys, compareText } from '../model/order.js';
import type { AuditReport, AuditResult, Inventory, OperatorSummary } from '../model/report.js';
import { excerptReader } from '../load/excerpt.js';
import { inventoryOf } from '../enrich/inventory.js';
import { SEVERITIES, STATUSES, severityRank, type Diagnostic, type Severity, type Status } from '../model/types.js';
import { controlsDir, packageRoot, profilesDir, registryDir } from '../paths.js';

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
    diagnostics.push(...result.diagnostics);
    if (result.compiled) controls.push(result.compiled);
  }
  return { controls, diagnostics };
}

const ATTENTION = new Set(['fail', 'not-evidenced', 'waived', 'error']);

/** load → validate → enrich → evaluate → waivers: the whole audit as one function of the files. */
export function runAudit(options: AuditOptions): AuditReport {
  const builtins = loadBuiltins();
  const collected = collectFiles([...options.paths, ...(options.profileFiles ?? [])]);
  const user = loadFiles(collected.files, { limits: options.limits });
  const catalog = compileCatalog(options.controlsDir);
  const diagnostics: Diagnostic[] = [...builtins.diagnostics, ...collected.diagnostics, ...user.diagnostics, ...catalog.diagnostics];

  const { world, diagnostics: worldDiagnostics } = buildWorld(builtins.documents, user.documents);
  diagnostics.push(...worldDiagnostics);
  const { profile, diagnostics: profileDiagnostics } = resolveProfile(world, { id: options.profileId, date: options.date, today: options.today });
  diagnostics.push(...profileDiagnostics);
  if (options.failOn) profile.failOn = options.failOn;

  const disabled = new Set(profile.disabled);
  const controls = catalog.controls.filter((c) => !disabled.has(c.definition.id));
  const resolver = new OwnershipResolver(world);
  const findings: Finding[] = [];
  const waivers: WaiverOutcome[] = [];
  const knownControls = new Set(controls.map((c) => c.definition.id));
  const inventory: Inventory = { operators: [], routes: [], carriers: [], agreements: [] };

  for (const [operatorId, docs] of [...world.submissions.entries()].sort(([a], [b]) => compareText(a, b))) {
    const operatorDoc = world.operators.get(operatorId)!;
    try {
      const submission = buildSubmission(world, resolver, profile, operatorDoc, docs);
      const operatorFindings = controls.flatMap((control) => evaluateControl(control, submission, profile));
      waivers.push(...applyWaivers(operatorFindings, docs.waivers, profile.auditDate, knownControls));
      findings.push(...operatorFindings);
      inventoryOf(submission, inventory);
    } catch (err) {
      // A bug must not cost the other operators their audit: record it against this operator and go on.
      findings.push(operatorErrorFinding(operatorId, operatorDoc.positions.locate(['metadata', 'id']), err));
    }
  }
  diagnostics.push(...resolver.diagnostics);
  const excerpt = excerptReader();
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
      inputs: [...builtins.inputs, ...user.inputs].sort(byKeys((i) => i.file)),
    },
    summary: summarise(findings, world, profile, errors.length),
    controls: controls
      .map((c) => ({
        id: c.definition.id,
        family: c.definition.family,
        title: c.definition.title,
        requirement: c.definition.requirement,
        severity: profile.severity[c.definition.id] ?? c.definition.severity,
        references: c.definition.references,
        parameters: pick(controlParameters(c, profile), Object.keys(c.definition.parameters ?? {})),
      }))
      .sort(byKeys((c) => c.id)),
    findings,
    waivers,
    errors,
  };
  if (options.baseline) result.baseline = compareWithBaseline(findings, options.baseline.previous, options.baseline.source);
  return { result, inventory: sortInventory(inventory) };
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

function operatorErrorFinding(operator: string, location: Finding['location'], err: unknown): Finding {
  return {
    control: 'ICX-ENGINE',
    title: 'Audit of this operator could not complete',
    family: 'ENGINE',
    severity: 'critical',
    status: 'error',
    operator,
    subject: `Operator/${operator}`,
    location,
    message: `Internal error while auditing ${operator}: ${(err as Error)?.message ?? err}. Please report it.`,
    evidence: {},
    remediation: 'Report this error to the ixaudit maintainers with the input files.',
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

function summarise(findings: Finding[], world: ReturnType<typeof buildWorld>['world'], profile: EffectiveProfile, errorCount: number): AuditResult['summary'] {
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
