import { createHash } from 'node:crypto';
import type { EffectiveProfile } from '../enrich/profile.js';
import { ID_PATH, type Subject, type Submission } from '../enrich/submission.js';
import type { Finding } from '../model/finding.js';
import type { DocPath, Severity, SourcePos, Status } from '../model/types.js';
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
export function evaluateControl(control: CompiledControl, submission: Submission, profile: EffectiveProfile): Finding[] {
  const definition = control.definition;
  const applies = definition.appliesTo;
  const params = controlParameters(control, profile);
  const severity: Severity = profile.severity[definition.id] ?? definition.severity;
  const operatorSubject: Subject = { ref: `Operator/${submission.operatorId}`, doc: submission.operatorDoc, path: ID_PATH, value: submission.operator };

  const finding = (subject: Subject, status: Status, message: string, evidence: Record<string, unknown>, path?: DocPath): Finding => ({
    control: definition.id,
    title: definition.title,
    family: definition.family,
    severity,
    status,
    operator: submission.operatorId,
    subject: subject.ref,
    location: locate(subject, path),
    message,
    evidence,
    remediation: definition.remediation.trim(),
    fingerprint: fingerprint(definition.id, submission.operatorId, subject.ref),
  });

  if (applies.networks && !applies.networks.some((n) => submission.operator.networks.includes(n))) {
    return [finding(operatorSubject, 'not-applicable', `Not applicable: the operator runs none of ${applies.networks.join(', ')}.`, { networks: submission.operator.networks })];
  }

  const subjects = subjectsFor(applies.subject, applies.aggregate, submission, operatorSubject);
  if (subjects.length === 0) {
    return [finding(operatorSubject, 'not-evidenced', `Not evidenced: the operator submitted no ${DOCUMENT_KIND[applies.subject]}.`, {})];
  }

  return subjects.map((subject) => {
    const value = subject.value;
    if (applies.protocols && !applies.protocols.includes(value.protocol)) {
      return finding(subject, 'not-applicable', `Not applicable: applies to ${applies.protocols.join(', ')} only; this is ${value.protocol}.`, { protocol: value.protocol });
    }
    if (applies.statuses && !applies.statuses.includes(value.status)) {
      return finding(subject, 'not-applicable', `Not applicable: applies to ${applies.statuses.join(', ')} routes only; this route is ${value.status}.`, { status: value.status });
    }
    if (value.undefinedCarriers?.length > 0) {
      return finding(subject, 'error', `Cannot evaluate: references undefined carrier ${value.undefinedCarriers.join(', ')} (see the input errors).`, { undefinedCarriers: value.undefinedCarriers });
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
        return finding(subject, 'not-applicable', render(definition.check.notApplicable ?? 'Not applicable to this subject.', scope), {});
      }
      stage = 'evidenced';
      if (control.evidenced && run(control.evidenced, scope) !== true) {
        return finding(subject, 'not-evidenced', render(definition.check.notEvidenced ?? 'Not evidenced: the submission does not say.', scope), {});
      }
      for (const [name, program] of control.lets) {
        stage = `let.${name}`;
        scope[name] = run(program, scope);
      }
      stage = 'pass';
      const passed = run(control.pass, scope);
      if (typeof passed !== 'boolean') throw new Error(`expected true or false, got ${JSON.stringify(toPlain(passed))}`);
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
      const message = render(passed ? definition.messages.pass : definition.messages.fail, scope);
      return finding(subject, passed ? 'pass' : 'fail', message, evidence, path);
    } catch (err) {
      const reason = String((err as Error).message ?? err).split('\n')[0];
      return finding(subject, 'error', `Cannot evaluate ${definition.id} (${stage}): ${reason}`, {});
    }
  });
}

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
