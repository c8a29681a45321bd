import { progressEvery } from '../model/progress.js';
import { hash } from 'node:crypto';
import type { EffectiveProfile } from '../enrich/profile.js';
import { IDENTITY_FIELDS, isSharedField, projectedValue } from '../enrich/route-view.js';
import { ID_PATH, type Subject, type SubjectView, type Submission } from '../enrich/submission.js';
import type { Finding, Occurrence } from '../model/finding.js';
import type { DocPath, PositionLookup, Severity, SourcePos, Status } from '../model/types.js';
import { docPathOf } from '../model/types.js';
import { AGGREGATES } from './aggregates.js';
import { toPlain, type CelProgram, type CompiledControl } from './compile.js';
import { type ControlReads, controlReads, type ReadSet } from './read-sets.js';

const SUBJECT_ALIAS: Record<string, string> = {
  operator: 'operator',
  carrier: 'carrier',
  agreement: 'agreement',
  route: 'route',
  routingTable: 'table',
  firewall: 'firewall',
  aggregate: 'aggregate',
};

const DOCUMENT_KIND: Record<string, string> = {
  carrier: 'carriers used in routes or agreements',
  agreement: 'InterconnectAgreement',
  route: 'RoutingTable',
  routingTable: 'RoutingTable',
  firewall: 'FirewallPolicy',
  aggregate: 'RoutingTable',
};

/** Parameters in force for one control: its own defaults, overridden by the profile. */
export function controlParameters(control: CompiledControl, profile: EffectiveProfile): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(control.definition.parameters ?? {})) {
    if (spec.default !== undefined) params[name] = spec.default;
  }
  return { ...params, ...profile.parameters };
}

export function fingerprint(control: string, operator: string, subject: string): string {
  // crypto.hash: the one-shot digest, about twice as fast as createHash for short inputs (one per finding).
  // Taken as 'binary' (a character a byte) and its first 16 bytes written out as 32 hex digits: slicing
  // the 64-digit hex digest kept the whole digest alive behind each slice, 112 bytes a fingerprint instead
  // of 48, and a million-route table keeps some three million of them (as fast either way).
  const digest = hash('sha256', `${control}\u0000${operator}\u0000${subject}`, 'binary');
  for (let i = 0; i < 16; i++) {
    const byte = digest.charCodeAt(i);
    hexCodes[2 * i] = HEX_DIGITS[byte >> 4];
    hexCodes[2 * i + 1] = HEX_DIGITS[byte & 15];
  }
  return String.fromCharCode.apply(null, hexCodes);
}

const HEX_DIGITS = Array.from('0123456789abcdef', (digit) => digit.charCodeAt(0));
/** The character codes of the fingerprint being written (reused: one fingerprint at a time). */
const hexCodes: number[] = new Array(32).fill(0);

/**
 * Evaluates one control for one operator's submission. Never throws: a broken expression becomes an
 * `error` finding. With `tally`, passing and not-applicable routes are counted rather than listed, except
 * the subjects in `alwaysListed`: those a waiver of this control names (the waiver must see the route's
 * finding to say whether it is needed) and, with --baseline, the previous run's problems (a fix must be
 * a finding of its own), whether or not the run lists passing routes.
 */
export function evaluateControl(
  control: CompiledControl,
  submission: Submission,
  profile: EffectiveProfile,
  tally?: RouteTally,
  locations?: LocationQueue,
  onSubjects?: (done: number, total: number) => void,
  alwaysListed?: ReadonlySet<string>,
): Finding[] {
  const definition = control.definition;
  const applies = definition.appliesTo;
  const params = controlParameters(control, profile);
  const severity: Severity = profile.severity[definition.id] ?? definition.severity;
  const remediation = definition.remediation.trim();
  const operatorSubject: Subject = {
    ref: `Operator/${submission.operatorId}`,
    doc: submission.operatorDoc,
    path: ID_PATH,
    value: submission.operator,
  };

  // One finding per subject, its own single occurrence: causes are grouped after waivers (src/engine/causes.ts).
  const finding = (subject: Subject, status: Status, message: string, evidence: Record<string, unknown>): Finding => {
    const print = fingerprint(definition.id, submission.operatorId, subject.ref);
    return {
      control: definition.id,
      title: definition.title,
      family: definition.family,
      severity,
      status,
      operator: submission.operatorId,
      subject: subject.ref,
      location: PENDING,
      message,
      evidence,
      remediation,
      fingerprint: print,
      occurrences: [{ subject: subject.ref, location: PENDING, fingerprint: print }],
    };
  };
  // The location is looked up now, or queued so a large table's items are each re-parsed once.
  const place = (f: Finding, subject: Subject, path?: DocPath) => {
    if (locations) locations.add(f.occurrences[0], subject.doc.positions, path ?? subject.path);
    else setLocation(f, locate(subject, path));
    return f;
  };
  // A location worked out for another route of the projection, moved into this route's item (rebase).
  // Queued as the shared path and this route's item, not as a copy of the path per route.
  const placeMoved = (f: Finding, subject: Subject, path: DocPath | undefined) => {
    const item = subject.path[2];
    if (locations && path && movesWithRoute(path) && typeof item === 'number')
      locations.add(f.occurrences[0], subject.doc.positions, path, item);
    else place(f, subject, rebase(path, subject.path));
    return f;
  };

  if (applies.networks && !applies.networks.some((n) => submission.operator.networks.includes(n))) {
    return [
      place(
        finding(
          operatorSubject,
          'not-applicable',
          `Not applicable: the operator runs none of ${applies.networks.join(', ')}.`,
          { networks: submission.operator.networks },
        ),
        operatorSubject,
      ),
    ];
  }

  const subjects = subjectsFor(applies.subject, applies.aggregate, submission, operatorSubject);
  if (subjects.length === 0) {
    return [
      place(
        finding(
          operatorSubject,
          'not-evidenced',
          `Not evidenced: the operator submitted no ${DOCUMENT_KIND[applies.subject]}.`,
          {},
        ),
        operatorSubject,
      ),
    ];
  }

  // Judge each subject first (status only); evidence, location and message are worked out only for
  // findings that are listed, so passing routes of a million-route table cost one expression each.
  const judge = (subject: Subject): Verdict => {
    const value = subject.value;
    if (applies.protocols && (value.protocol === undefined || !applies.protocols.includes(value.protocol))) {
      return fixed(
        'not-applicable',
        `Not applicable: applies to ${applies.protocols.join(', ')} only; this is ${value.protocol}.`,
        { protocol: value.protocol },
      );
    }
    if (applies.statuses && (value.status === undefined || !applies.statuses.includes(value.status))) {
      return fixed(
        'not-applicable',
        `Not applicable: applies to ${applies.statuses.join(', ')} routes only; this route is ${value.status}.`,
        { status: value.status },
      );
    }
    const undefinedCarriers = value.undefinedCarriers ?? [];
    if (undefinedCarriers.length > 0) {
      return fixed(
        'error',
        `Cannot evaluate: references undefined carrier ${undefinedCarriers.join(', ')} (see the input errors).`,
        { undefinedCarriers },
      );
    }
    const scope: Record<string, unknown> = {
      subject: value,
      [SUBJECT_ALIAS[applies.subject]]: value,
      operator: submission.operator,
      params,
      auditDate: profile.auditDate,
    };
    let stage = 'applies';
    try {
      if (control.applies && run(control.applies, scope) !== true) {
        return fixed(
          'not-applicable',
          () => render(definition.check.notApplicable ?? 'Not applicable to this subject.', scope),
          {},
        );
      }
      stage = 'evidenced';
      if (control.evidenced && run(control.evidenced, scope) !== true) {
        return fixed(
          'not-evidenced',
          () => render(definition.check.notEvidenced ?? 'Not evidenced: the submission does not say.', scope),
          {},
        );
      }
      for (const [name, program] of control.lets) {
        stage = `let.${name}`;
        scope[name] = run(program, scope);
      }
      stage = 'pass';
      const passed = run(control.pass, scope);
      if (typeof passed !== 'boolean')
        throw new Error(`expected true or false, got ${JSON.stringify(toPlain(passed))}`);
      return { status: passed ? 'pass' : 'fail', details: () => explain(passed, scope) };
    } catch (err) {
      return fixed(
        'error',
        `Cannot evaluate ${definition.id} (${stage}): ${String((err as Error).message ?? err).split('\n')[0]}`,
        {},
      );
    }
  };

  const explain = (passed: boolean, scope: Record<string, unknown>): Details => {
    let stage = 'evidence';
    try {
      const evidence: Record<string, unknown> = {};
      for (const [name, program] of control.evidence) {
        stage = `evidence.${name}`;
        evidence[name] = run(program, scope);
        // Messages may quote evidence by name, but a `let` of the same name keeps its (richer) value.
        if (!(name in scope)) scope[name] = evidence[name];
      }
      stage = 'location';
      const path = control.location ? parsePath(run(control.location, scope)) : undefined;
      stage = 'message';
      return { message: render(passed ? definition.messages.pass : definition.messages.fail, scope), evidence, path };
    } catch (err) {
      return {
        status: 'error',
        message: `Cannot evaluate ${definition.id} (${stage}): ${String((err as Error).message ?? err).split('\n')[0]}`,
        evidence: {},
      };
    }
  };

  const findings: Finding[] = [];
  // Routes of one shape (see route-view.ts) have the same view but for their identity: when the control's
  // verdict reads none of it, the first route of a shape is judged and the others take its status. Shapes
  // are narrowed further to the fields this control reads (its projection): ICX-ENC-01 reads a route's
  // next hop, destination and encryption, so two routes differing only in their backups share a verdict.
  const reads = applies.subject === 'route' && shapeSharing.enabled ? readsOf(control) : undefined;
  const projection = reads && verdictFollowsShape(reads) ? projectionOf(reads, projectedValues(submission)) : undefined;
  const statusByProjection: Status[] = [];
  // When the evidence and messages read no identity either, a failing route's details are those of the
  // first route of its projection, with the location moved to this route's item.
  const detailsByProjection: Array<Details | undefined> | undefined =
    projection && detailsFollowShape(reads!) ? [] : undefined;
  const counts =
    tally && applies.subject === 'route' ? { pass: new Counted(), 'not-applicable': new Counted() } : undefined;
  let judged = 0;
  for (const subject of subjects) {
    if (onSubjects && ++judged % progressEvery.items === 0) onSubjects(judged, subjects.length);
    const projected = projection && subject.shape !== undefined ? projection(subject.shape, subject.value) : undefined;
    let verdict: Verdict | undefined;
    let status = projected === undefined ? undefined : statusByProjection[projected];
    if (status === undefined) {
      verdict = judge(subject);
      status = verdict.status;
      if (projected !== undefined) statusByProjection[projected] = status;
    }
    if (counts && (status === 'pass' || status === 'not-applicable') && !alwaysListed?.has(subject.ref)) {
      counts[status].add(subject.ref);
      continue;
    }
    const shared = projected === undefined ? undefined : detailsByProjection?.[projected];
    if (shared) {
      findings.push(
        placeMoved(finding(subject, shared.status ?? status, shared.message, shared.evidence), subject, shared.path),
      );
      continue;
    }
    // A listed finding needs its own scope (lets) for its details: judge it unless that was just done.
    verdict ??= judge(subject);
    let details: Details;
    try {
      details = verdict.details();
    } catch (err) {
      details = {
        status: 'error',
        message: `Cannot evaluate ${definition.id} (message): ${String((err as Error).message ?? err).split('\n')[0]}`,
        evidence: {},
      };
    }
    const path = details.path && resolveAgainst(details.path, subject.path);
    if (projected !== undefined && detailsByProjection && details.status === undefined)
      detailsByProjection[projected] = { ...details, path };
    findings.push(
      place(finding(subject, details.status ?? verdict.status, details.message, details.evidence), subject, path),
    );
  }
  if (counts && tally) {
    for (const status of ['pass', 'not-applicable'] as const) {
      if (counts[status].count > 0) tally(definition.id, status, counts[status].count, counts[status].examples);
    }
  }
  return findings;
}

/** Route findings counted instead of listed: how many, and the first few subjects as examples. */
class Counted {
  count = 0;
  readonly examples: string[] = [];

  add(subject: string): void {
    this.count++;
    if (this.examples.length < 3) this.examples.push(subject);
  }
}

/**
 * Internal switch, not a user option: with `enabled` false, route controls share nothing between routes
 * (no shape or projection verdicts, no shared details) and every route is judged with CEL on its own.
 * Tests and the bench set it to compare the plain path with the shared one (findings must be identical);
 * it is read per call of evaluateControl, in the thread that evaluates (worker threads have their own).
 */
export const shapeSharing = { enabled: true };

/** Each control's read-sets, worked out once (controls are compiled once per run). */
const readSets = new WeakMap<CompiledControl, ControlReads>();

function readsOf(control: CompiledControl): ControlReads {
  let reads = readSets.get(control);
  if (!reads) readSets.set(control, (reads = controlReads(control)));
  return reads;
}

const IDENTITY: ReadonlySet<string> = new Set(IDENTITY_FIELDS);

function readsIdentity(reads: ReadSet, except?: string): boolean {
  for (const field of reads) if (field !== except && IDENTITY.has(field)) return true;
  return false;
}

/**
 * A shape's projected value of a shared field (route-view.ts projectedValue), by field and shape, made
 * once per submission: the route controls read the same fields of the same shapes (a 200,000-route table
 * has some 20,000 shapes, and 41 controls projected them each anew: half a second of evaluating).
 */
type ProjectedValues = Map<string, string[]>;

const projectedBySubmission = new WeakMap<Submission, ProjectedValues>();

function projectedValues(submission: Submission): ProjectedValues {
  let values = projectedBySubmission.get(submission);
  if (!values) projectedBySubmission.set(submission, (values = new Map()));
  return values;
}

/**
 * For one control, a function numbering route shapes by what the control reads of them: the shared route
 * fields of its read-sets, each compared as route-view.ts projects it (hops by carrier, position,
 * destination network and unavoidability; the rest of a hop derives from its carrier). Shapes with the
 * same number look the same to the control. Each shape is numbered once.
 */
function projectionOf(reads: ControlReads, projected: ProjectedValues): (shape: number, route: SubjectView) => number {
  // Identity differs within a shape, so it is never part of a shape's number: the verdict does not read
  // it (or there is no projection), and details that read it beyond the location's `route.at` are not shared.
  const fields = [...new Set([...reads.verdict, ...reads.details, ...reads.location])].filter(isSharedField).sort();
  const byShape: number[] = [];
  const numbers = new Map<string, number>();
  return (shape, route) => {
    const known = byShape[shape];
    if (known !== undefined) return known;
    const view = route as Readonly<Record<string, unknown>>;
    let key = '';
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i];
      let byShapeOfField = projected.get(field);
      if (!byShapeOfField) projected.set(field, (byShapeOfField = []));
      const value = (byShapeOfField[shape] ??= projectedValue(field, view[field]));
      key = i === 0 ? value : `${key}\u0001${value}`;
    }
    const number = numbers.get(key) ?? numbers.size;
    numbers.set(key, number);
    byShape[shape] = number;
    return number;
  };
}

/** Whether a route control's verdict (applies, evidenced, lets, pass) reads only what routes of one shape share. */
function verdictFollowsShape({ verdict }: ControlReads): boolean {
  return !readsIdentity(verdict);
}

/**
 * Whether a control's evidence and messages can be shared by routes of one projection: with the lets they
 * come from, they may not read a route's identity; the location may read `route.at` (it is moved to each
 * route's item, see rebase) but no other identity.
 */
function detailsFollowShape({ verdict, details, location }: ControlReads): boolean {
  return !readsIdentity(verdict) && !readsIdentity(details) && !readsIdentity(location, 'at');
}

/** Whether a location lies inside a route item (`spec.routes.<n>…`), so that it moves with the route. */
function movesWithRoute(path: DocPath): boolean {
  return path[0] === 'spec' && path[1] === 'routes' && typeof path[2] === 'number';
}

/** A location inside one route item, moved to the same place in another route's item. */
function rebase(path: DocPath | undefined, routePath: DocPath): DocPath | undefined {
  if (!path || !movesWithRoute(path)) return path;
  return movedTo(path, routePath[2]);
}

/** The path with its route item replaced. */
function movedTo(path: DocPath, item: string | number): DocPath {
  const moved = path.slice();
  moved[2] = item;
  return moved;
}

/** Top-level fields of an input document: a location starting with one is a path in the document. */
const DOCUMENT_FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'spec']);

/**
 * A location from a control, as a path in the subject's document: paths that start at a document field
 * are taken as they are; others (a hop's `at`, e.g. `backups.0.carrier`) are relative to the subject.
 */
export function resolveAgainst(path: DocPath, subjectPath: DocPath): DocPath {
  return DOCUMENT_FIELDS.has(String(path[0])) ? path : [...subjectPath, ...path];
}

/** An ungrouped finding's location is its one occurrence's too. */
function setLocation(finding: Finding, at: SourcePos): void {
  finding.location = at;
  finding.occurrences[0].location = at;
}

/** Placeholder until the finding's location is looked up (see LocationQueue). */
const PENDING: SourcePos = Object.freeze({ file: '', line: 0, column: 0 });

export interface PendingLocation {
  /** The occurrence whose location this is (a finding's own occurrence; grouping keeps the object). */
  occurrence: Occurrence;
  positions: PositionLookup;
  path: DocPath;
}

/**
 * Findings whose locations are looked up together, after evaluation, in document and route order: in a
 * large table each route item's text is then re-parsed once, however many controls reported on it.
 * Entries are kept in parallel lists rather than an object each: a million-route table queues about three
 * million, all alive until resolve, and each object was one more for every young collection to copy.
 */
export class LocationQueue {
  private readonly occurrences: Occurrence[] = [];
  private readonly positions: PositionLookup[] = [];
  private readonly paths: DocPath[] = [];
  /** The route item a shared path is moved to when looked up (see add), or -1 to take it as it is. */
  private readonly movedItems: number[] = [];

  push(entry: PendingLocation): void {
    this.add(entry.occurrence, entry.positions, entry.path);
  }

  /**
   * Queues an occurrence's path; with `movedItem`, a path inside another route item, looked up moved into
   * route item `movedItem` (as rebase moves it).
   */
  add(occurrence: Occurrence, positions: PositionLookup, path: DocPath, movedItem = -1): void {
    this.occurrences.push(occurrence);
    this.positions.push(positions);
    this.paths.push(path);
    this.movedItems.push(movedItem);
  }

  /** Looks every queued location up; `onLocated` hears how many are done now and then (progressEvery). */
  resolve(onLocated?: (done: number, total: number) => void): void {
    const { occurrences, positions, paths, movedItems } = this;
    const total = occurrences.length;
    // Named before the ordering, which takes a second or two at national scale.
    onLocated?.(0, total);
    // By document, in the order they first appear, then by route item, each in the order queued (what a
    // stable sort on the two would give, without comparing millions of entries).
    const byDocument = new Map<PositionLookup, number[]>();
    let current: number[] | undefined;
    let currentPositions: PositionLookup | undefined;
    for (let i = 0; i < total; i++) {
      // Runs of one document are the rule: its group is kept at hand rather than looked up per entry.
      if (positions[i] !== currentPositions) {
        currentPositions = positions[i];
        current = byDocument.get(currentPositions);
        if (!current) byDocument.set(currentPositions, (current = []));
      }
      current!.push(i);
    }
    const itemOf = (i: number) => (movedItems[i] >= 0 ? movedItems[i] : routeItemOf(paths[i]));
    let done = 0;
    for (const group of byDocument.values()) {
      for (const i of byRouteItem(group, itemOf)) {
        const at = positions[i].locate(movedItems[i] >= 0 ? movedTo(paths[i], movedItems[i]) : paths[i]);
        occurrences[i].location = { file: at.file, line: at.line, column: at.column };
        if (onLocated && ++done % progressEvery.items === 0) onLocated(done, total);
      }
    }
    occurrences.length = 0;
    positions.length = 0;
    paths.length = 0;
    movedItems.length = 0;
  }
}

/** The route item a path lies in, or -1 for anything outside the routes. */
function routeItemOf(path: DocPath): number {
  return path[0] === 'spec' && typeof path[2] === 'number' ? path[2] : -1;
}

/**
 * One document's queued entries ordered by route item (those outside the routes first), stably: a
 * counting sort.
 */
function byRouteItem(group: number[], itemOf: (entry: number) => number): number[] {
  // Each entry's item, worked out once (slot 0 for those outside the routes).
  const slots = new Uint32Array(group.length);
  let last = 0;
  for (let i = 0; i < group.length; i++) {
    const slot = itemOf(group[i]) + 1;
    slots[i] = slot;
    if (slot > last) last = slot;
  }
  if (last === 0) return group;
  // next[slot]: where the next entry of that slot goes.
  const next = new Uint32Array(last + 1);
  for (let i = 0; i < slots.length; i++) next[slots[i]]++;
  let start = 0;
  for (let i = 0; i < next.length; i++) {
    const n = next[i];
    next[i] = start;
    start += n;
  }
  const ordered = new Array<number>(group.length);
  for (let i = 0; i < group.length; i++) ordered[next[slots[i]]++] = group[i];
  return ordered;
}

interface Details {
  /** Set when working out the details itself failed. */
  status?: Status;
  message: string;
  evidence: Record<string, unknown>;
  path?: DocPath;
}

interface Verdict {
  status: Status;
  details: () => Details;
}

function fixed(status: Status, message: string | (() => string), evidence: Record<string, unknown>): Verdict {
  return { status, details: () => ({ message: typeof message === 'string' ? message : message(), evidence }) };
}

/** Receives route findings that are counted instead of listed (pass and not-applicable in large tables), once per control and status. */
export type RouteTally = (
  control: string,
  status: 'pass' | 'not-applicable',
  count: number,
  examples: string[],
) => void;

function run(program: CelProgram, scope: Record<string, unknown>): unknown {
  return toPlain(program(scope));
}

function subjectsFor(
  kind: string,
  aggregate: string | undefined,
  submission: Submission,
  operatorSubject: Subject,
): Subject[] {
  switch (kind) {
    case 'operator':
      return [operatorSubject];
    case 'carrier':
      return submission.carriers;
    case 'agreement':
      return submission.agreements;
    case 'route':
      return submission.routes;
    case 'routingTable':
      return submission.tables;
    case 'firewall':
      return submission.firewalls;
    case 'aggregate':
      return AGGREGATES[aggregate as keyof typeof AGGREGATES](submission);
    default:
      return [];
  }
}

/** "spec.routes.3.primary.carrier" → ['spec', 'routes', 3, 'primary', 'carrier']; anything else keeps the default. */
function parsePath(value: unknown): DocPath | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  return docPathOf(value);
}

function locate(subject: Subject, path: DocPath | undefined): SourcePos {
  const at = subject.doc.positions.locate(path ?? subject.path);
  return { file: at.file, line: at.line, column: at.column };
}

/** Fills `{{name}}` / `{{route.primary.carrier}}` from the scope; lists are joined with ", ". */
export function render(template: string, scope: Record<string, unknown>): string {
  return template.trim().replace(/\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g, (_, path: string) => {
    let value: unknown = scope;
    for (const part of path.split('.')) {
      if (value === null || typeof value !== 'object' || !(part in (value as object))) {
        throw new Error(`message placeholder {{${path}}} has no value`);
      }
      value = (value as Record<string, unknown>)[part];
    }
    return formatValue(toPlain(value));
  });
}

function formatValue(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map(formatValue).join(', ');
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
