import type { LoadPhase, StepCount } from '../model/progress.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { parse as parseYamlText } from 'yaml';
import { buildSubmission } from '../enrich/submission.js';
import { deepFreeze } from '../enrich/route-view.js';
import { checkHoldings, OwnershipResolver } from '../enrich/ownership.js';
import { BASE_PROFILE_ID, profileCatalog, resolveProfile, type EffectiveProfile } from '../enrich/profile.js';
import { buildWorld, rejectedKey, releaseParsedRoutes, type World } from '../enrich/world.js';
import { compileControl, type CompiledControl } from '../engine/compile.js';
import { controlParameters, evaluateControl, fingerprint, LocationQueue, type RouteTally } from '../engine/evaluate.js';
import { applyWaivers } from '../engine/waivers.js';
import { groupByCause, takeFirstLocations, withSubjectEvidence } from '../engine/causes.js';
import { controlFiles, loadControls } from '../load/controls.js';
import { collectFiles, type IgnoredPath, loadFiles, type LoadResult } from '../load/index.js';
import type { YamlLimits } from '../load/yaml.js';
import { compareWithBaseline, previousProblems } from '../engine/baseline.js';
import type { PreviousFindings } from '../model/baseline.js';
import type { Finding, Occurrence, WaiverOutcome } from '../model/finding.js';
import { byKeys, compareText } from '../model/order.js';
import type {
  AuditReport,
  AuditResult,
  Inventory,
  OperatorSummary,
  SummarisedFindings,
  Verdict,
} from '../model/report.js';
import { fileAttribution, operatorsConcerned } from '../enrich/attribution.js';
import { checkConsistency } from '../enrich/consistency.js';
import { registryAsOf, staleRegistryFacts } from '../enrich/listings.js';
import { excerptReader } from '../load/excerpt.js';
import { inventoryOf } from '../enrich/inventory.js';
import {
  ATTENTION_STATUSES,
  formatDiagnostic,
  KINDS,
  SEVERITIES,
  SHARED_KINDS,
  STATUSES,
  severityRank,
  type Diagnostic,
  type Kind,
  type LoadedDocument,
  type Severity,
  type SourcePos,
  type Status,
} from '../model/types.js';
import { controlsDir, packageRoot, profilesDir, registryDir } from '../paths.js';
import { appendAll } from '../model/arrays.js';

export const FINDINGS_SCHEMA_VERSION = '3.0';

/**
 * What the audit is doing inside one of its long stages, for progress on the terminal: each submission
 * file as it is read, each operator's enrichment, each control as it is evaluated, findings located and
 * routes listed, with how far each is when it is long.
 */
export type AuditStep =
  | {
      stage: 'reading';
      file: string;
      index: number;
      total: number;
      /** A large YAML table's routes parsed so far. */
      routes?: StepCount;
      /** A CSV export's characters read so far. */
      read?: StepCount;
      phase?: LoadPhase;
    }
  | { stage: 'cross-checking'; routes?: StepCount }
  | { stage: 'enriching'; operatorId: string; routes?: StepCount }
  | { stage: 'evaluating'; operatorId: string; control: string; done: number; total: number; subjects?: StepCount }
  | { stage: 'locating'; operatorId: string; locations: StepCount }
  | { stage: 'listing'; operatorId: string; routes: StepCount };

export interface AuditOptions {
  /** The submissions: the audited operators' own documents (positional inputs). */
  paths: string[];
  /** Profile id, chosen with --profile. */
  profileId?: string;
  /** The auditor's profile file (from --profile FILE). */
  profileFiles?: string[];
  /** The auditor's corrections and additions to the bundled registry (--registry FILE|DIR): Carrier and Owner documents. */
  registryPaths?: string[];
  /** The auditor's accepted exceptions (--waivers FILE|DIR): Waiver documents. */
  waiverPaths?: string[];
  date?: string;
  today: string;
  failOn?: Severity | 'none';
  controlsDir?: string;
  /** Parser limits (--limit); defaults in src/load/yaml.ts. */
  limits?: YamlLimits;
  /** Threads loading the submissions may use (LoadOptions.threads); runAuditParallel sets it from --jobs. */
  loadThreads?: number;
  /** Operators with more routes than this get their passing / not-applicable route findings counted, not listed (--list-all lifts it). */
  listRouteFindingsUpTo?: number;
  /** The --out folder: never read as input even when it lies inside an input folder. */
  outDir?: string;
  /** --baseline: the previous run's findings, and the folder they came from. */
  baseline?: { source: string; previous: PreviousFindings };
  /** --ignore GLOB: paths below the input folders that are not read (with each folder's .ixauditignore). */
  ignore?: string[];
  /** Test hooks, never set from the command line: an operator whose audit throws, to test the ERROR path. */
  faults?: FaultInjection;
  /** Progress inside the long stages (files read, controls evaluated); the CLI shows it on the terminal. */
  onStep?: (step: AuditStep) => void;
}

/** Operators whose audit is made to throw: in the thread that audits them, or in their worker thread before it starts. */
export interface FaultInjection {
  operator?: string;
  worker?: string;
}

export function toolVersion(): string {
  return JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version;
}

export function catalogVersion(dir: string = controlsDir): string {
  return String(parseYamlText(readFileSync(join(dir, 'catalog.yaml'), 'utf8')).version);
}

/**
 * Internal switch: a process that audits many times (the test suite; a program using ixaudit as a
 * library) loads the shipped registry and profiles and compiles a control catalog once per content
 * instead of once per audit — about 180 ms of the 250 ms a small submission takes. Each is kept with a
 * digest of the files it was made from, so an edited file is loaded afresh. No audit changes what is
 * kept: the registry's and profiles' values are frozen (trusted facts one audit cannot alter for the
 * next), compiled controls are never written, and callers copy or filter the lists into their own.
 * `enabled = false` loads and compiles every time.
 */
export const contentCache = { enabled: true };

/** SHA-256 over the files' names and bytes, in the order given. */
function digestOfFiles(paths: readonly string[]): string {
  const digest = createHash('sha256');
  for (const path of paths) digest.update(`${path}\u0000`).update(readFileSync(path)).update('\u0000');
  return digest.digest('hex');
}

let builtinsKept: { digest: string; loaded: LoadResult } | undefined;

/** The shipped registry and profiles: loaded like user input, marked built-in so users can override them. */
export function loadBuiltins(): LoadResult {
  const { files } = collectFiles([registryDir, profilesDir]);
  if (!contentCache.enabled) return loadFiles(files, { builtin: true });
  const digest = digestOfFiles(files);
  if (builtinsKept?.digest !== digest) {
    const loaded = loadFiles(files, { builtin: true });
    for (const doc of loaded.documents) deepFreeze(doc.value);
    builtinsKept = { digest, loaded };
  }
  return builtinsKept.loaded;
}

/**
 * The shipped files the audit used: the registry, and of the shipped profiles only those of its chain. A
 * shipped profile it did not run under (`strict` under `default`) is loaded, since a profile may extend
 * it, but listing it among the inputs of the report and the manifest said that it applied.
 */
function inputsInForce(builtins: LoadResult, chain: readonly string[]): LoadResult['inputs'] {
  const inForce = new Set(chain);
  const unused = new Set<string>();
  const used = new Set<string>();
  for (const doc of builtins.documents)
    (doc.kind === 'AuditProfile' && !inForce.has(doc.id) ? unused : used).add(doc.file);
  return builtins.inputs.filter((i) => !unused.has(i.file) || used.has(i.file));
}

export type CompiledCatalog = { controls: CompiledControl[]; diagnostics: Diagnostic[] };

const compiledCatalogs = new Map<string, { digest: string; catalog: CompiledCatalog }>();

/** The catalog in `dir` (default: the shipped one), compiled; kept per folder while its files are unchanged (contentCache). */
export function compileCatalog(dir?: string): CompiledCatalog {
  if (!contentCache.enabled) return compileCatalogFiles(dir);
  const key = dir ?? controlsDir;
  const digest = digestOfFiles(controlFiles(key).map((f) => f.path));
  const kept = compiledCatalogs.get(key);
  if (kept?.digest === digest) return kept.catalog;
  const catalog = compileCatalogFiles(dir);
  compiledCatalogs.set(key, { digest, catalog });
  return catalog;
}

function compileCatalogFiles(dir?: string): CompiledCatalog {
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
  /** Documents of each kind loaded from the submissions (what `validate` and the summary say was read). */
  loaded: Record<Kind, number>;
  /** Paths of the submissions left out by --ignore or an .ixauditignore, with the pattern that did it. */
  ignored: IgnoredPath[];
  /** Problems with the auditor's profile: the rules of the audit are unknown, so nothing may be audited. */
  profileErrors: Diagnostic[];
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

/** What each of the auditor's options may hold; anything else in those files is reported and not used. */
const AUDITOR_KINDS = {
  '--profile': ['AuditProfile'],
  '--registry': ['Carrier', 'Owner'],
  '--waivers': ['Waiver'],
} as const satisfies Record<string, readonly Kind[]>;

/** The auditor's inputs, marked as theirs: only the kinds each option takes. */
function loadAuditorInputs(options: AuditOptions): LoadResult & { files: string[] } {
  const result: LoadResult & { files: string[] } = {
    documents: [],
    diagnostics: [],
    inputs: [],
    texts: new Map(),
    files: [],
  };
  const sources: Array<[keyof typeof AUDITOR_KINDS, string[]]> = [
    ['--profile', options.profileFiles ?? []],
    ['--registry', options.registryPaths ?? []],
    ['--waivers', options.waiverPaths ?? []],
  ];
  for (const [option, paths] of sources) {
    if (paths.length === 0) continue;
    const collected = collectFiles(paths);
    const loaded = loadFiles(collected.files, { limits: options.limits });
    appendAll(result.files, collected.files);
    appendAll(
      result.diagnostics,
      collected.diagnostics.map((d) => ({ ...d, message: `${option} ${d.file}: ${d.message}` })),
    );
    appendAll(result.diagnostics, loaded.diagnostics);
    appendAll(result.inputs, loaded.inputs);
    for (const [file, text] of loaded.texts) result.texts.set(file, text);
    const allowed: readonly Kind[] = AUDITOR_KINDS[option];
    for (const doc of loaded.documents) {
      if (!allowed.includes(doc.kind)) {
        result.diagnostics.push({
          ...doc.positions.locate(['kind']),
          code: 'usage',
          message: `${option} takes ${allowed.join(' and ')} documents; this ${doc.kind} is not used`,
        });
        continue;
      }
      doc.origin = 'auditor';
      result.documents.push(doc);
    }
  }
  return result;
}

/** Every document the loader dropped, by rejectedKey, with the first problem that dropped it. */
function rejectedDocumentsOf(diagnostics: readonly Diagnostic[]): Map<string, Diagnostic> {
  const rejected = new Map<string, Diagnostic>();
  for (const d of diagnostics) {
    if (!d.dropped) continue;
    const key = rejectedKey(
      d.dropped.kind,
      d.dropped.kind === 'Operator' || SHARED_KINDS.includes(d.dropped.kind as Kind) ? undefined : d.operator,
      d.dropped.id,
    );
    if (!rejected.has(key)) rejected.set(key, d);
  }
  return rejected;
}

/** Operators whose Operator document the loader dropped, by id, with the first problem that dropped it. */
function rejectedOperatorsOf(diagnostics: readonly Diagnostic[]): Map<string, Diagnostic> {
  const rejected = new Map<string, Diagnostic>();
  for (const d of diagnostics)
    if (d.dropped?.kind === 'Operator' && !rejected.has(d.dropped.id)) rejected.set(d.dropped.id, d);
  return rejected;
}

/** load → validate → resolve references and the profile: the part every operator shares. */
export function prepareAudit(options: AuditOptions): PreparedAudit {
  const builtins = loadBuiltins();
  for (const doc of builtins.documents) doc.origin = 'builtin';
  const auditor = loadAuditorInputs(options);
  // The auditor's files are never read as a submission, even when they lie inside a submission folder.
  const auditorFiles = new Set(auditor.files.map((f) => resolvePath(f)));
  const excluded = [
    ...(options.outDir ? [options.outDir] : []),
    ...(options.registryPaths ?? []),
    ...(options.waiverPaths ?? []),
  ];
  const collected = collectFiles(options.paths, excluded, undefined, options.ignore ?? []);
  // The file being read, so the routes parsed from it are reported under its place in the list.
  let reading: { file: string; index: number; total: number } | undefined;
  const user = loadFiles(
    collected.files.filter((f) => !auditorFiles.has(resolvePath(f))),
    {
      limits: options.limits,
      threads: options.loadThreads,
      onFile: (file, index, total) => {
        reading = { file, index, total };
        options.onStep?.({ stage: 'reading', ...reading });
      },
      onFileProgress: (file, progress) => {
        if (reading?.file === file) options.onStep?.({ stage: 'reading', ...reading, ...progress });
      },
    },
  );
  for (const doc of user.documents) doc.origin = 'submission';
  const catalog = compileCatalog(options.controlsDir);
  const diagnostics: Diagnostic[] = [
    ...builtins.diagnostics,
    ...auditor.diagnostics,
    ...collected.diagnostics,
    ...user.diagnostics,
    ...catalog.diagnostics,
  ];

  options.onStep?.({ stage: 'cross-checking' });
  const { world, diagnostics: worldDiagnostics } = buildWorld(
    [...builtins.documents, ...auditor.documents],
    user.documents,
    rejectedOperatorsOf(user.diagnostics),
    rejectedDocumentsOf([...auditor.diagnostics, ...user.diagnostics]),
    (done, total) => options.onStep?.({ stage: 'cross-checking', routes: { done, total } }),
  );
  appendAll(diagnostics, worldDiagnostics);
  appendAll(diagnostics, checkHoldings(world));
  // Figures that contradict themselves (shares over 100 %, agreements expiring before signature): located, before routes are released.
  appendAll(diagnostics, checkConsistency(world));
  const { profile, diagnostics: profileDiagnostics } = resolveProfile(
    world,
    { id: options.profileId, date: options.date, today: options.today },
    profileCatalog(
      catalog.controls,
      builtins.documents.find((d) => d.kind === 'AuditProfile' && d.id === BASE_PROFILE_ID),
    ),
  );
  appendAll(diagnostics, profileDiagnostics);
  if (options.failOn) profile.failOn = options.failOn;

  const disabled = new Set(profile.disabled);
  const inForce = catalog.controls.filter((c) => !disabled.has(c.definition.id));
  // Nothing evaluated is no clean bill of health: every operator is then INCOMPLETE, never PASS.
  if (inForce.length === 0 && catalog.controls.length > 0) {
    const at = world.profiles.get(profile.id);
    diagnostics.push({
      ...(at ? at.positions.locate(['spec', 'controls', 'disable']) : { file: '--profile', line: 0, column: 0 }),
      code: 'usage',
      message: `profile "${profile.id}" disables every control of the catalog: nothing is evaluated, so no operator can PASS`,
    });
  }
  return {
    options,
    inputs: [...inputsInForce(builtins, profile.chain), ...auditor.inputs, ...user.inputs].sort(byKeys((i) => i.file)),
    texts: new Map([...builtins.texts, ...auditor.texts, ...user.texts]),
    world,
    profile,
    controls: inForce,
    diagnostics,
    profileErrors: profileDiagnostics.filter((d) => d.code === 'profile'),
    loaded: user.counts,
    ignored: collected.ignored,
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

/**
 * enrich → evaluate → waivers → causes for one operator. Never throws: a bug becomes an error finding for
 * that operator only. Waivers name subjects, so they are applied before the findings of one cause are
 * grouped (a waived subject is then a cause of its own); grouping here, in the worker that audited the
 * operator, also keeps what comes back from a worker thread small.
 */
export function auditOperator(
  world: World,
  profile: EffectiveProfile,
  controls: CompiledControl[],
  operatorId: string,
  resolver = new OwnershipResolver(world),
  listRouteFindingsUpTo = LIST_ROUTE_FINDINGS_UP_TO,
  faults?: FaultInjection,
  onStep?: (step: AuditStep) => void,
  /** The subjects a counted table lists all the same, by control: the previous run's problems (previousProblems). */
  listedAnyway: Readonly<Record<string, readonly string[]>> = {},
): OperatorOutcome {
  const operatorDoc = world.operators.get(operatorId)!;
  const docs = world.submissions.get(operatorId)!;
  const inventory: Inventory = { operators: [], routes: [], carriers: [], agreements: [] };
  const knownControls = new Set(controls.map((c) => c.definition.id));
  try {
    if (faults?.operator === operatorId) throw new Error('fault injected (AuditOptions.faults.operator)');
    onStep?.({ stage: 'enriching', operatorId });
    const submission = buildSubmission(world, resolver, profile, operatorDoc, docs, (done, total) =>
      onStep?.({ stage: 'enriching', operatorId, routes: { done, total } }),
    );
    // The route views hold what evaluation and the inventory read: the parsed routes (over a gigabyte
    // for a million-route table) go now rather than after evaluation, which needs the heap most.
    releaseParsedRoutes(docs);
    const counted = submission.routes.length > listRouteFindingsUpTo ? routeTally(operatorId) : undefined;
    const locations = new LocationQueue();
    const occurrenceKeys = new Map(controls.map((c) => [c.definition.id, c.occurrenceEvidence]));
    const keysOf = (id: string) => occurrenceKeys.get(id) ?? [];
    const waiverOutcomes = new Map<LoadedDocument<'Waiver'>, WaiverOutcome>();
    const waive = (findings: Finding[], control: string | undefined) => {
      const own = docs.waivers.filter((w) =>
        control === undefined ? !waiverOutcomes.has(w) : w.value.spec.control === control,
      );
      const outcomes = applyWaivers(findings, own, profile.auditDate, knownControls, profile.acceptSubmissionWaivers);
      for (const [i, doc] of own.entries()) waiverOutcomes.set(doc, outcomes[i]);
    };
    // Control by control: its findings are waived (a waiver names one control) and grouped by cause at
    // once, so a national table holds a cause per projection, never a full finding per failing route.
    // Causes never span controls, so the result is the same as grouping all findings at the end.
    const findings: Finding[] = [];
    for (const [i, control] of controls.entries()) {
      const step = {
        stage: 'evaluating',
        operatorId,
        control: control.definition.id,
        done: i,
        total: controls.length,
      } as const;
      onStep?.(step);
      const own = evaluateControl(
        control,
        submission,
        profile,
        counted?.tally,
        locations,
        (done, total) => onStep?.({ ...step, subjects: { done, total } }),
        counted ? listedSubjects(docs.waivers, control.definition.id, listedAnyway) : undefined,
      );
      waive(own, control.definition.id);
      appendAll(findings, groupByCause(own, keysOf, { reuseOccurrences: true }));
    }
    // Waivers of controls not evaluated (unknown, or disabled by the profile): each says it matched nothing.
    waive([], undefined);
    locations.resolve((done, total) => onStep?.({ stage: 'locating', operatorId, locations: { done, total } }));
    takeFirstLocations(findings);
    markCarrierUses(submission.carrierUses, findings);
    const waivers = docs.waivers.map((w) => waiverOutcomes.get(w)!);
    inventoryOf(submission, inventory, (done, total) =>
      onStep?.({ stage: 'listing', operatorId, routes: { done, total } }),
    );
    return {
      operatorId,
      findings,
      summarised: counted?.summaries() ?? [],
      waivers,
      inventory,
      diagnostics: resolver.diagnostics,
    };
  } catch (err) {
    // A bug must not cost the other operators their audit: record it against this operator and go on.
    const message = `Internal error while auditing ${operatorId}: ${(err as Error)?.message ?? err}. The other operators were audited; please report it.`;
    return {
      operatorId,
      findings: [operatorErrorFinding(operatorId, operatorDoc.positions.locate(['metadata', 'id']), message)],
      summarised: [],
      waivers: [],
      inventory,
      diagnostics: resolver.diagnostics,
    };
  }
}

/** Everything after evaluation: excerpts, sorting, summary, baseline. Same outcomes in, same bytes out. */
export function assembleReport(prepared: PreparedAudit, outcomes: OperatorOutcome[]): AuditReport {
  const { options, world, profile, controls } = prepared;
  const findings = outcomes.flatMap((o) => o.findings);
  const summarised = outcomes
    .flatMap((o) => o.summarised)
    .sort(
      byKeys(
        (s) => s.operator,
        (s) => s.control,
        (s) => s.status,
      ),
    );
  const waivers = outcomes.flatMap((o) => o.waivers);
  const inventory: Inventory = { operators: [], routes: [], carriers: [], agreements: [] };
  for (const o of outcomes) {
    appendAll(inventory.operators, o.inventory.operators);
    appendAll(inventory.routes, o.inventory.routes);
    appendAll(inventory.carriers, o.inventory.carriers);
    appendAll(inventory.agreements, o.inventory.agreements);
  }
  const diagnostics = [...prepared.diagnostics, ...outcomes.flatMap((o) => o.diagnostics)];
  // Which operators' submissions each file belongs to: worked out once, for declarations and for INCOMPLETE.
  const ownersOf = fileAttribution(world);
  markDeclaredCarriers(world, ownersOf, inventory, findings);
  const excerpt = excerptReader(undefined, prepared.texts);
  // One excerpt per cause, at its first occurrence: the others show the same text in other items.
  for (const f of findings) if (ATTENTION_STATUSES.has(f.status)) f.excerpt = excerpt(f.location.file, f.location.line);

  findings.sort(
    byKeys<Finding>(
      (f) => f.operator,
      (f) => f.control,
      (f) => f.subject,
      (f) => String(f.location.line).padStart(9, '0'),
    ),
  );
  waivers.sort(
    byKeys<WaiverOutcome>(
      (w) => w.operator,
      (w) => w.id,
    ),
  );
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
      registryChanges: world.registryChanges,
      registry: registryCurrency(world, profile),
    },
    summary: summarise(
      findings,
      summarised,
      world,
      ownersOf,
      profile,
      errors,
      new Map(controls.map((c) => [c.definition.id, profile.severity[c.definition.id] ?? c.definition.severity])),
    ),
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
    const countedSubjects = new Set(
      inventory.routes.filter((r) => counted.has(r.operator)).map((r) => `${r.operator}\u0000${r.ref}`),
    );
    result.baseline = compareWithBaseline(
      findings,
      options.baseline.previous,
      options.baseline.source,
      countedSubjects,
    );
  }
  return { result, inventory: sortInventory(inventory), loaded: prepared.loaded, ignored: prepared.ignored };
}

/** The bundled registry's as-of date and the facts the profile's maxRegistryAgeMonths (default 12) finds too old. */
function registryCurrency(world: World, profile: EffectiveProfile): AuditResult['run']['registry'] {
  const maxAgeMonths =
    typeof profile.parameters.maxRegistryAgeMonths === 'number' ? profile.parameters.maxRegistryAgeMonths : 12;
  const stale = staleRegistryFacts(world, profile.auditDate, maxAgeMonths).map((f) => ({
    kind: f.kind,
    id: f.id,
    fact: f.fact,
    checked: f.checked,
    at: `${f.file}:${f.line}`,
  }));
  return { asOf: registryAsOf(world), maxAgeMonths, stale };
}

/**
 * A carrier no trusted source knows is shown as declared by the operators whose submissions hold it, in
 * the inventory and in the evidence of its own findings, so no report presents an operator's word as a
 * registry fact.
 */
function markDeclaredCarriers(
  world: World,
  ownersOf: (file: string) => string[],
  inventory: Inventory,
  findings: Finding[],
): void {
  const declared = new Map<string, string[]>();
  for (const [id, doc] of world.carriers) if (doc.origin === 'submission') declared.set(id, ownersOf(doc.file));
  if (declared.size === 0) return;
  for (const carrier of inventory.carriers) carrier.declaredBy = declared.get(carrier.id) ?? [];
  // Who declared a carrier is its own: on the cause when all its carriers were declared by the same operators.
  const declaredBy = (o: Occurrence) => {
    const by = o.subject.startsWith('Carrier/') ? declared.get(o.subject.slice('Carrier/'.length)) : undefined;
    if (!by) return undefined;
    return by.length > 0
      ? `declared by ${by.join(', ')}, not in the registry`
      : 'declared by a submission, not in the registry';
  };
  for (let i = 0; i < findings.length; i++)
    if (hasCarrierOccurrence(findings[i])) findings[i] = withSubjectEvidence(findings[i], 'declaredBy', declaredBy);
}

/**
 * A carrier finding is located at the carrier's entry, which for a registry or auditor carrier is a file
 * the operator cannot change (`ixaudit:registry/carriers.yaml`): its evidence also says where the
 * operator's submission first names the carrier (`usedAt`, file:line:column: an agreement's counterparty,
 * else a route). Where, not what: the baseline leaves it out of what it compares (findingDigest).
 */
function markCarrierUses(uses: ReadonlyMap<string, SourcePos>, findings: Finding[]): void {
  if (uses.size === 0) return;
  const usedAt = (o: Occurrence) => {
    const at = o.subject.startsWith('Carrier/') ? uses.get(o.subject.slice('Carrier/'.length)) : undefined;
    return at && `${at.file}:${at.line}:${at.column}`;
  };
  for (let i = 0; i < findings.length; i++)
    if (hasCarrierOccurrence(findings[i])) findings[i] = withSubjectEvidence(findings[i], 'usedAt', usedAt);
}

/**
 * The subjects a counted table lists all the same for one control: those its waivers name (so a waiver
 * can say it is not needed) and the previous run's problems (so a fix is a finding of its own).
 */
function listedSubjects(
  waivers: readonly LoadedDocument<'Waiver'>[],
  control: string,
  listedAnyway: Readonly<Record<string, readonly string[]>>,
): ReadonlySet<string> | undefined {
  const subjects = new Set<string>(listedAnyway[control] ?? []);
  for (const w of waivers) if (w.value.spec.control === control) for (const t of w.value.spec.targets) subjects.add(t);
  // None (the usual case): no lookup per counted route.
  return subjects.size > 0 ? subjects : undefined;
}

/**
 * Whether any occurrence of the finding is a carrier. A plain loop: at national scale the route causes
 * hold millions of occurrences, and a callback per occurrence took 1.8 s of a 1M-route run's assembling.
 */
function hasCarrierOccurrence(finding: Finding): boolean {
  for (const o of finding.occurrences) if (o.subject.startsWith('Carrier/')) return true;
  return false;
}

/**
 * `ixaudit validate`: syntax, schema, references, profile, ownership cycles — no controls evaluated —
 * and how many documents of each kind the submissions held, to say what was read.
 */
export function validateInputs(options: AuditOptions): {
  diagnostics: Diagnostic[];
  loaded: Record<Kind, number>;
  ignored: IgnoredPath[];
} {
  const prepared = prepareAudit(options);
  const resolver = new OwnershipResolver(prepared.world);
  for (const id of prepared.world.carriers.keys()) resolver.resolve(id);
  return {
    diagnostics: dedupeDiagnostics([...prepared.diagnostics, ...resolver.diagnostics]),
    loaded: prepared.loaded,
    ignored: prepared.ignored,
  };
}

/** "4 Operator, 12 RoutingTable, …": the kinds of which any document was loaded, in the model's order. */
export function loadedText(loaded: Record<Kind, number>): string {
  const parts = KINDS.filter((k) => loaded[k] > 0).map((k) => `${loaded[k]} ${k}`);
  return parts.length > 0 ? parts.join(', ') : 'no document';
}

/**
 * Audits every operator once, in order, in this thread. Each operator's parsed routes are released once
 * its routes are enriched (see releaseParsedRoutes), so `prepared` cannot be audited a second time.
 */
export function auditAll(prepared: PreparedAudit, onOutcome?: (outcome: OperatorOutcome) => void): OperatorOutcome[] {
  const resolver = new OwnershipResolver(prepared.world);
  const problems = previousProblems(prepared.options.baseline?.previous);
  return prepared.operatorIds.map((id) => {
    const outcome = auditOperator(
      prepared.world,
      prepared.profile,
      prepared.controls,
      id,
      resolver,
      prepared.options.listRouteFindingsUpTo,
      prepared.options.faults,
      prepared.options.onStep,
      problems.get(id),
    );
    onOutcome?.(outcome);
    return outcome;
  });
}

/**
 * The auditor's profile could not be resolved (unknown control or parameter, an `extends` that does not
 * resolve, an unknown --profile id): the rules of the audit are unknown, so nothing is audited.
 */
export class ProfileError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(`the audit profile has ${diagnostics.length} problem(s); nothing was audited`);
  }
}

/** The whole audit in this thread: load → validate → enrich → evaluate → waivers → report model. */
export function runAudit(options: AuditOptions): AuditReport {
  const prepared = prepareAudit(options);
  if (prepared.profileErrors.length > 0) throw new ProfileError(prepared.profileErrors);
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
    routes: inventory.routes.sort(
      byKeys(
        (r) => r.operator,
        (r) => r.table,
      ),
    ),
    carriers: [...carriers.values()].sort(byKeys((c) => c.id)),
    agreements: inventory.agreements.sort(
      byKeys(
        (a) => a.operator,
        (a) => a.id,
      ),
    ),
  };
}

/** The finding that stands in for an operator whose audit could not complete (a bug or a dead worker). */
export function operatorErrorFinding(operator: string, location: Finding['location'], message: string): Finding {
  const subject = `Operator/${operator}`;
  const at = { file: location.file, line: location.line, column: location.column };
  const print = fingerprint('ICX-ENGINE', operator, subject);
  return {
    control: 'ICX-ENGINE',
    title: 'Audit of this operator could not complete',
    family: 'ENGINE',
    severity: 'critical',
    status: 'error',
    operator,
    subject,
    location: at,
    message,
    evidence: {},
    remediation: 'Re-run; if it fails again, report it to the ixaudit maintainers with the input files.',
    fingerprint: print,
    occurrences: [{ subject, location: at, fingerprint: print }],
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
  return failsThreshold(
    finding,
    result.run.profile.failOn,
    result.run.profile.parameters.notEvidencedIsFailure === true,
  );
}

function emptyCounts(): Record<Status, number> {
  return Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
}

/** At most this many reasons are kept per operator for "why not PASS" (all problems are in `errors`). */
const MAX_REASONS = 100;

function summarise(
  findings: Finding[],
  summarised: SummarisedFindings[],
  world: World,
  ownersOf: (file: string) => string[],
  profile: EffectiveProfile,
  errors: Diagnostic[],
  severities: Map<string, Severity>,
): AuditResult['summary'] {
  const byStatus = emptyCounts();
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, emptyCounts()])) as Record<
    Severity,
    Record<Status, number>
  >;
  const operators = new Map<string, OperatorSummary>();
  const state = new Map<string, { failed: boolean; errors: string[]; missing: string[] }>();
  const add = (id: string, name: string, country: string) => {
    operators.set(id, { id, name, country, counts: emptyCounts(), result: 'PASS', incomplete: [] });
    state.set(id, { failed: false, errors: [], missing: [] });
  };
  for (const [id, doc] of world.operators) add(id, doc.value.metadata.name ?? id, doc.value.spec.country);
  // An operator whose Operator document could not be loaded is reported, never silently left out of the run.
  for (const [id, d] of world.rejectedOperators) {
    add(id, id, '');
    state
      .get(id)!
      .missing.push(
        `the Operator document could not be loaded (${formatDiagnostic(d)}), so none of this operator's documents were audited`,
      );
  }
  // Verdicts are counted per subject (occurrence), not per cause: grouping changes no total.
  for (const f of findings) {
    const n = f.occurrences.length;
    byStatus[f.status] += n;
    bySeverity[f.severity][f.status] += n;
    const op = operators.get(f.operator)!;
    op.counts[f.status] += n;
    const s = state.get(f.operator)!;
    if (failsThreshold(f, profile.failOn, profile.parameters.notEvidencedIsFailure === true)) s.failed = true;
    if (f.status === 'error')
      for (const o of f.occurrences) s.errors.push(`${f.control} could not be evaluated on ${o.subject}: ${f.message}`);
  }
  // Counted findings still count: totals are the same whether findings are listed or summarised.
  for (const group of summarised) {
    byStatus[group.status] += group.count;
    bySeverity[severities.get(group.control)!][group.status] += group.count;
    operators.get(group.operator)!.counts[group.status] += group.count;
  }
  // Every input problem makes the operators it concerns INCOMPLETE; a control that could not be compiled, ERROR.
  const ids = [...operators.keys()];
  for (const d of errors) {
    const concerned =
      d.operator !== undefined && operators.has(d.operator)
        ? [d.operator]
        : operatorsConcerned({ ...d, operator: undefined }, ownersOf, ids);
    for (const id of concerned) {
      const s = state.get(id);
      if (s) (d.code === 'control' ? s.errors : s.missing).push(formatDiagnostic(d));
    }
  }
  const gated = profile.failOn !== 'none';
  for (const [id, op] of operators) {
    const s = state.get(id)!;
    op.result = s.failed
      ? 'FAIL'
      : s.errors.length > 0
        ? 'ERROR'
        : s.missing.length > 0
          ? 'INCOMPLETE'
          : gated
            ? 'PASS'
            : 'NOT GATED';
    const reasons = [...s.errors, ...s.missing];
    op.incomplete =
      reasons.length > MAX_REASONS
        ? [...reasons.slice(0, MAX_REASONS), `${reasons.length - MAX_REASONS} more, listed with the input errors`]
        : reasons;
  }
  const list = [...operators.values()].sort(byKeys((o) => o.id));
  return {
    result: runVerdict(
      list.map((o) => o.result),
      errors.length > 0,
      gated,
    ),
    byStatus,
    bySeverity,
    operators: list,
    errors: errors.length,
  };
}

/**
 * The run's result from its operators' (spec controls.md, "Overall results"): the worst of them in the
 * order FAIL, ERROR, INCOMPLETE; a run that audited nobody or had input problems is never PASS.
 */
export function runVerdict(results: readonly Verdict[], inputErrors: boolean, gated: boolean): Verdict {
  for (const verdict of ['FAIL', 'ERROR', 'INCOMPLETE'] as const) if (results.includes(verdict)) return verdict;
  if (results.length === 0 || inputErrors) return 'INCOMPLETE';
  return gated ? 'PASS' : 'NOT GATED';
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
    .sort(
      (a, b) =>
        compareText(a.file, b.file) || a.line - b.line || a.column - b.column || compareText(a.message, b.message),
    );
}

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => compareText(a, b)));
}

function pick(record: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(
    keys
      .sort(compareText)
      .filter((k) => k in record)
      .map((k) => [k, record[k]]),
  );
}
