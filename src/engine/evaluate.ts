import { createHash } from 'node:crypto';
import type { EffectiveProfile } from '../enrich/profile.js';
import { ID_PATH, type Subject, type Submission } from '../enrich/submission.js';
import type { Finding } from '../model/finding.js';
import type { DocPath, PositionLookup, Severity, SourcePos, Status } from '../model/types.js';
import { AGGREGATES } from './aggregates.js';
import { toPlain, type CelProgram, type CompiledControl } from './compile.js';

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
  return createHash('sha256').update(`${control}\u0000${operator}\u0000${subject}`).digest('hex').slice(0, 32);
}

/** Evaluates one control for one operator's submission. Never throws: a broken expression becomes an `error` finding. */
export function evaluateControl(control: CompiledControl, submission: Submission, profile: EffectiveProfile, tally?: RouteTally, locations?: LocationQueue): Finding[] {
  const definition = control.definition;
  const applies = definition.appliesTo;
  const params = controlParameters(control, profile);
  const severity: Severity = profile.severity[definition.id] ?? definition.severity;
  const operatorSubject: Subject = { ref: `Operator/${submission.operatorId}`, doc: submission.operatorDoc, path: ID_PATH, value: submission.operator };

  const finding = (subject: Subject, status: Status, message: string, evidence: Record<string, unknown>): Finding => ({
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
    remediation: definition.remediation.trim(),
    fingerprint: fingerprint(definition.id, submission.operatorId, subject.ref),
  });
  // The location is looked up now, or queued so a large table's items are each re-parsed once.
  const place = (f: Finding, subject: Subject, path?: DocPath) => {
    if (locations) locations.push({ finding: f, positions: subject.doc.positions, path: path ?? subject.path });
    else f.location = locate(subject, path);
    return f;
  };

  if (applies.networks && !applies.networks.some((n) => submission.operator.networks.includes(n))) {
    return [place(finding(operatorSubject, 'not-applicable', `Not applicable: the operator runs none of ${applies.networks.join(', ')}.`, { networks: submission.operator.networks }), operatorSubject)];
  }

  const subjects = subjectsFor(applies.subject, applies.aggregate, submission, operatorSubject);
  if (subjects.length === 0) {
    return [place(finding(operatorSubject, 'not-evidenced', `Not evidenced: the operator submitted no ${DOCUMENT_KIND[applies.subject]}.`, {}), operatorSubject)];
  }

  // Judge each subject first (status only); evidence, location and message are worked out only for
  // findings that are listed, so passing routes of a million-route table cost one expression each.
  const judge = (subject: Subject): Verdict => {
    const value = subject.value;
    if (applies.protocols && !applies.protocols.includes(value.protocol)) {
      return fixed('not-applicable', `Not applicable: applies to ${applies.protocols.join(', ')} only; this is ${value.protocol}.`, { protocol: value.protocol });
    }
    if (applies.statuses && !applies.statuses.includes(value.status)) {
      return fixed('not-applicable', `Not applicable: applies to ${applies.statuses.join(', ')} routes only; this route is ${value.status}.`, { status: value.status });
    }
    if (value.undefinedCarriers?.length > 0) {
      return fixed('error', `Cannot evaluate: references undefined carrier ${value.undefinedCarriers.join(', ')} (see the input errors).`, { undefinedCarriers: value.undefinedCarriers });
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
        return fixed('not-applicable', () => render(definition.check.notApplicable ?? 'Not applicable to this subject.', scope), {});
      }
      stage = 'evidenced';
      if (control.evidenced && run(control.evidenced, scope) !== true) {
        return fixed('not-evidenced', () => render(definition.check.notEvidenced ?? 'Not evidenced: the submission does not say.', scope), {});
      }
      for (const [name, program] of control.lets) {
        stage = `let.${name}`;
        scope[name] = run(program, scope);
      }
      stage = 'pass';
      const passed = run(control.pass, scope);
      if (typeof passed !== 'boolean') throw new Error(`expected true or false, got ${JSON.stringify(toPlain(passed))}`);
      return { status: passed ? 'pass' : 'fail', details: () => explain(passed, scope) };
    } catch (err) {
      return fixed('error', `Cannot evaluate ${definition.id} (${stage}): ${String((err as Error).message ?? err).split('\n')[0]}`, {});
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
      return { status: 'error', message: `Cannot evaluate ${definition.id} (${stage}): ${String((err as Error).message ?? err).split('\n')[0]}`, evidence: {} };
    }
  };

  const findings: Finding[] = [];
  // Routes of a large table repeat a few shapes (same carriers, status, destination): when counting,
  // a route whose shape was judged before takes that status without evaluating the expressions again.
  const shapeOf = tally && applies.subject === 'route' ? routeShapeKey(control) : undefined;
  const statusByShape = new Map<string, Status>();
  // When the control's evidence and message read only shape fields, a failing route's details are those
  // of the first route of its shape, with the location moved to this route's item.
  const detailsByShape = shapeOf && detailsFollowShape(control) ? new Map<string, Details>() : undefined;
  for (const subject of subjects) {
    let shape: string | undefined;
    let verdict: Verdict | undefined;
    if (shapeOf) {
      shape = shapeOf(subject.value);
      const known = shape === undefined ? undefined : statusByShape.get(shape);
      if (known === undefined) verdict = judge(subject);
      const status = known ?? verdict!.status;
      if (shape !== undefined && known === undefined) statusByShape.set(shape, status);
      if (status === 'pass' || status === 'not-applicable') {
        tally!(definition.id, status, subject.ref);
        continue;
      }
      const shared = shape === undefined ? undefined : detailsByShape?.get(shape);
      if (shared) {
        findings.push(place(finding(subject, shared.status ?? status, shared.message, shared.evidence), subject, rebase(shared.path, subject.path)));
        continue;
      }
    }
    // A listed finding needs its own scope (lets) for its details: judge it unless that was just done.
    verdict ??= judge(subject);
    let details: Details;
    try {
      details = verdict.details();
    } catch (err) {
      details = { status: 'error', message: `Cannot evaluate ${definition.id} (message): ${String((err as Error).message ?? err).split('\n')[0]}`, evidence: {} };
    }
    if (shape !== undefined && detailsByShape && details.status === undefined) detailsByShape.set(shape, details);
    findings.push(place(finding(subject, details.status ?? verdict.status, details.message, details.evidence), subject, details.path));
  }
  return findings;
}

/** Route fields that differ from route to route without saying anything about its risk. */
const ROUTE_IDENTITY_FIELDS = ['id', 'at', 'table', 'match', 'trafficShare'];

/**
 * A function giving a route's "shape" for one control: every field the verdict can depend on, with
 * hops reduced to carrier, role and unavoidability (the rest of a hop derives from its carrier). Fields
 * that identify a route (id, match, share, document paths) are left out unless the control's verdict
 * expressions name them; a control that reads a route as a whole, or any `.at` path, is never shaped.
 */
export function routeShapeKey(control: CompiledControl): ((route: Record<string, any>) => string | undefined) {
  const check = control.definition.check;
  const sources = [check.applies ?? '', check.evidenced ?? '', check.pass, ...Object.values(check.let ?? {})].join('\n');
  if (/\.at\b/.test(sources) || /\b(route|subject)\b(?!\s*\.)/.test(sources)) return () => undefined;
  const named = new Set([...sources.matchAll(/\b(?:route|subject)\s*\.\s*(\w+)/g)].map((m) => m[1]));
  const skipped = ROUTE_IDENTITY_FIELDS.filter((f) => !named.has(f));
  const skip = new Set(skipped);
  const variant = skipped.join(',');
  return (route) => {
    // Most controls skip the same fields: the key is built once per route and reused across them.
    let keys = SHAPE_KEYS.get(route);
    if (!keys) SHAPE_KEYS.set(route, (keys = new Map()));
    let key = keys.get(variant);
    if (key !== undefined) return key;
    key = '';
    for (const field of Object.keys(route)) {
      if (skip.has(field)) continue;
      const value = route[field];
      key += `${field}=`;
      if (Array.isArray(value)) key += value.map(hopOrValue).join(',');
      else key += hopOrValue(value);
      key += ';';
    }
    keys.set(variant, key);
    return key;
  };
}

const SHAPE_KEYS = new WeakMap<object, Map<string, string>>();

/**
 * Whether a control's evidence and messages can be shared by routes of one shape: they may not name a
 * route's identity (id, match, share, table) or a document path, except the location, which is moved.
 */
function detailsFollowShape(control: CompiledControl): boolean {
  const d = control.definition;
  const text = [...Object.values(d.check.evidence ?? {}), d.messages.pass, d.messages.fail, d.check.notApplicable ?? '', d.check.notEvidenced ?? ''].join('\n');
  const lets = Object.values(d.check.let ?? {}).join('\n');
  if (/\.at\b/.test(text) || /\.at\b/.test(lets)) return false;
  if (/\b(route|subject)\s*\.\s*(id|match|trafficShare|table)\b/.test(text + lets)) return false;
  return !/\b(route|subject)\b(?!\s*\.)/.test(text + lets);
}

/** A location inside one route item, moved to the same place in another route's item. */
function rebase(path: DocPath | undefined, routePath: DocPath): DocPath | undefined {
  if (!path || path[0] !== 'spec' || path[1] !== 'routes' || typeof path[2] !== 'number') return path;
  return [...routePath.slice(0, 3), ...path.slice(3)];
}

function hopOrValue(value: unknown): string {
  if (value !== null && typeof value === 'object' && 'carrier' in value && 'role' in value) {
    const hop = value as { carrier: string; role: string; unavoidable?: boolean };
    return `${hop.carrier}/${hop.role}/${hop.unavoidable ? 'u' : ''}`;
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Placeholder until the finding's location is looked up (see LocationQueue). */
const PENDING: SourcePos = Object.freeze({ file: '', line: 0, column: 0 });

export interface PendingLocation {
  finding: Finding;
  positions: PositionLookup;
  path: DocPath;
}

/**
 * Findings whose locations are looked up together, after evaluation, in document and route order: in a
 * large table each route item's text is then re-parsed once, however many controls reported on it.
 */
export class LocationQueue {
  private readonly pending: PendingLocation[] = [];

  push(entry: PendingLocation): void {
    this.pending.push(entry);
  }

  resolve(): void {
    const order = new Map<PositionLookup, number>();
    for (const p of this.pending) if (!order.has(p.positions)) order.set(p.positions, order.size);
    const item = (p: PendingLocation) => (p.path[0] === 'spec' && typeof p.path[2] === 'number' ? p.path[2] : -1);
    this.pending.sort((a, b) => order.get(a.positions)! - order.get(b.positions)! || item(a) - item(b));
    for (const { finding, positions, path } of this.pending) {
      const at = positions.locate(path);
      finding.location = { file: at.file, line: at.line, column: at.column };
    }
    this.pending.length = 0;
  }
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

/** Receives route findings that are counted instead of listed (pass and not-applicable in large tables). */
export type RouteTally = (control: string, status: 'pass' | 'not-applicable', subject: string) => void;

function run(program: CelProgram, scope: Record<string, unknown>): unknown {
  return toPlain(program(scope));
}

function subjectsFor(kind: string, aggregate: string | undefined, submission: Submission, operatorSubject: Subject): Subject[] {
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
  return value.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
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
