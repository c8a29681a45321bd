import { canonicalJson } from '../model/baseline.js';
import type { Finding, Occurrence } from '../model/finding.js';

// A finding is one cause (issue 15): the findings of one control and operator that differ only in their
// subject and location — and in the evidence the control declares per occurrence — are one finding with
// an occurrence per subject. A million-route table has hundreds of thousands of failures but a few
// hundred causes; message, evidence, remediation and excerpt are then stored once, not per route.

/** The evidence keys a control keeps per occurrence (its `occurrenceEvidence`), by control id. */
export type OccurrenceKeys = (control: string) => readonly string[];

/** A finding's evidence cut in two: what every occurrence of its cause shares, and what is the subject's own. */
interface SplitEvidence {
  shared: Record<string, unknown>;
  /** Undefined when the subject has nothing of its own. */
  own: Record<string, unknown> | undefined;
  /** Equal for equal shared evidence (canonical JSON), whatever the order of its keys. */
  sharedId: number;
}

/**
 * Groups findings by cause: one finding per control, operator, status, severity, message, remediation,
 * waiver and shared evidence, in the order of its first occurrence, with every subject as an occurrence
 * in the order met (table order). The finding keeps `subject`, `location` and `fingerprint` of its first
 * occurrence, the excerpt of the first finding of the group, and the evidence all of them share; each
 * occurrence keeps its own evidence (the keys `keysOf` gives). Inputs are not changed. Findings that are
 * already grouped are grouped again as their occurrences, so grouping twice gives the same result.
 */
export function groupByCause(
  findings: readonly Finding[],
  keysOf: OccurrenceKeys,
  options: GroupOptions = {},
): Finding[] {
  const occurrenceOf = options.reuseOccurrences ? adoptOccurrence : copyOccurrence;
  const split = evidenceSplitter();
  const texts = new Interner<string>();
  const groups = new Map<string, Finding>();
  const causes: Array<{ cause: Finding; evidence: Record<string, unknown> }> = [];
  for (const finding of findings) {
    const { shared, own, sharedId } = split(finding.evidence, keysOf(finding.control));
    const key = causeKey(finding, texts, sharedId);
    let cause = groups.get(key);
    for (const occurrence of finding.occurrences) {
      const evidence = mergedEvidence(own, occurrence.evidence);
      const next = occurrenceOf(occurrence, evidence);
      if (cause) {
        cause.occurrences.push(next);
        continue;
      }
      cause = {
        ...finding,
        subject: next.subject,
        location: next.location,
        fingerprint: next.fingerprint,
        evidence: shared,
        occurrences: [next],
      };
      groups.set(key, cause);
      causes.push({ cause, evidence: finding.evidence });
    }
  }
  return causes.map(({ cause, evidence }) => withCommonEvidence(cause, evidence, occurrenceOf));
}

export interface GroupOptions {
  /**
   * Keep the findings' occurrence objects (setting their evidence) instead of copying them: the audit
   * groups each control's findings as soon as they are made, while their locations are still queued
   * (LocationQueue writes into these objects), so a national table never holds a full finding per route.
   * The findings given must not be used afterwards.
   */
  reuseOccurrences?: boolean;
}

/**
 * After the occurrences' locations were filled in (LocationQueue.resolve): each cause takes its first
 * occurrence's, as groupByCause gives it when the locations are known beforehand.
 */
export function takeFirstLocations(causes: readonly Finding[]): void {
  for (const cause of causes) cause.location = cause.occurrences[0].location;
}

/**
 * A cause with the per-occurrence evidence that all its occurrences agree on moved back to its shared
 * evidence: occurrences keep only what tells them apart, and a cause of one subject reads exactly as its
 * finding did, its evidence in the order the control gives it (`order`: the first finding's evidence).
 */
function withCommonEvidence(
  cause: Finding,
  order: Record<string, unknown>,
  occurrenceOf: typeof copyOccurrence,
): Finding {
  const first = cause.occurrences[0].evidence;
  if (!first) return cause;
  const common = Object.keys(first).filter((key) =>
    cause.occurrences.every(
      (o) => o.evidence !== undefined && Object.hasOwn(o.evidence, key) && same(o.evidence[key], first[key]),
    ),
  );
  if (common.length === 0) return cause;
  const hoisted = { ...cause.evidence, ...Object.fromEntries(common.map((key) => [key, first[key]])) };
  return {
    ...cause,
    evidence: inOrderOf(hoisted, order),
    occurrences: cause.occurrences.map((o) => occurrenceOf(o, without(o.evidence!, common))),
  };
}

/** The evidence with its keys in the order they have in `order`; keys it lacks go last, as they are. */
function inOrderOf(evidence: Record<string, unknown>, order: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(order);
  const rank = (key: string) => (keys.includes(key) ? keys.indexOf(key) : keys.length);
  return Object.fromEntries(Object.entries(evidence).sort(([a], [b]) => rank(a) - rank(b)));
}

/** Equal as findings.json would write them (primitives compared directly: the common case). */
function same(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'object' && typeof b === 'object' && canonicalJson(a) === canonicalJson(b));
}

/** The evidence without these keys; undefined when nothing is left. */
function without(evidence: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> | undefined {
  const rest = Object.entries(evidence).filter(([key]) => !keys.includes(key));
  return rest.length === 0 ? undefined : Object.fromEntries(rest);
}

/**
 * The findings one subject at a time, as they were before grouping: one finding per occurrence with its
 * subject, location, fingerprint, baseline and full evidence (the cause's with the occurrence's own),
 * and that occurrence alone in `occurrences`. The excerpt, read at the first occurrence's location, is
 * kept on the first only. For readers (and tests) that ask about one subject.
 */
export function flattenCauses(findings: readonly Finding[]): Finding[] {
  return findings.flatMap((finding) => finding.occurrences.map((o, i) => subjectFinding(finding, o, i === 0)));
}

/** One occurrence of a finding as a finding of its own (see flattenCauses). */
export function subjectFinding(finding: Finding, occurrence: Occurrence, first = true): Finding {
  const { excerpt, baseline: _summary, ...rest } = finding;
  return {
    ...rest,
    subject: occurrence.subject,
    location: occurrence.location,
    evidence: occurrence.evidence ? { ...finding.evidence, ...occurrence.evidence } : finding.evidence,
    fingerprint: occurrence.fingerprint,
    ...(first && excerpt ? { excerpt } : {}),
    ...(occurrence.baseline ? { baseline: occurrence.baseline } : {}),
    occurrences: [{ subject: occurrence.subject, location: occurrence.location, fingerprint: occurrence.fingerprint }],
  };
}

/**
 * The finding with one more piece of evidence whose value depends on the subject (`valueFor` gives it per
 * occurrence, undefined for none): on the cause when every occurrence has the same value, else on the
 * occurrences that have one. A finding with one occurrence thus reads as before grouping.
 */
export function withSubjectEvidence(
  finding: Finding,
  key: string,
  valueFor: (occurrence: Occurrence) => unknown,
): Finding {
  // Most findings have no such value (a route cause of a national table: hundreds of thousands of
  // occurrences): find that out without building the list.
  if (finding.occurrences.every((o) => valueFor(o) === undefined)) return finding;
  const values = finding.occurrences.map(valueFor);
  const agree = values.every((v) => v !== undefined && canonicalJson(v) === canonicalJson(values[0]));
  if (agree) return { ...finding, evidence: { ...finding.evidence, [key]: values[0] } };
  return {
    ...finding,
    occurrences: finding.occurrences.map((o, i) =>
      values[i] === undefined ? o : { ...o, evidence: { ...o.evidence, [key]: values[i] } },
    ),
  };
}

/** What makes two findings one cause; the texts and the shared evidence by number, so keys stay short. */
function causeKey(f: Finding, texts: Interner<string>, sharedId: number): string {
  const waiver = f.waiver ? `${f.waiver.id}\u0001${f.waiver.status}` : '';
  return [
    f.control,
    f.operator,
    f.status,
    f.severity,
    waiver,
    texts.id(f.message),
    texts.id(f.remediation),
    sharedId,
  ].join('\u0000');
}

/** An occurrence as a cause lists it: subject, location, fingerprint, its own evidence and baseline. */
/** The occurrence with this evidence, the object itself changed (see GroupOptions.reuseOccurrences). */
function adoptOccurrence(o: Occurrence, evidence: Record<string, unknown> | undefined): Occurrence {
  if (evidence) o.evidence = evidence;
  else delete o.evidence;
  return o;
}

function copyOccurrence(o: Occurrence, evidence: Record<string, unknown> | undefined): Occurrence {
  return {
    subject: o.subject,
    location: o.location,
    fingerprint: o.fingerprint,
    ...(evidence ? { evidence } : {}),
    ...(o.baseline ? { baseline: o.baseline } : {}),
  };
}

function mergedEvidence(
  own: Record<string, unknown> | undefined,
  occurrence: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (!own) return occurrence;
  return occurrence ? { ...own, ...occurrence } : own;
}

/**
 * Splits evidence into shared and own parts, numbering shared parts by their canonical JSON. Findings of
 * one route shape carry the same evidence object (see evaluateControl), so the work is cached by object:
 * a million findings of a few hundred causes are split and serialised a few hundred times.
 */
function evidenceSplitter(): (evidence: Record<string, unknown>, keys: readonly string[]) => SplitEvidence {
  const cache = new WeakMap<object, { keys: string; split: SplitEvidence }>();
  const canonical = new Interner<string>();
  return (evidence, keys) => {
    const known = cache.get(evidence);
    const keyText = keys.join('\u0000');
    if (known && known.keys === keyText) return known.split;
    const own = keys.filter((k) => Object.hasOwn(evidence, k));
    const shared =
      own.length === 0 ? evidence : Object.fromEntries(Object.entries(evidence).filter(([k]) => !own.includes(k)));
    const split: SplitEvidence = {
      shared,
      own: own.length === 0 ? undefined : Object.fromEntries(own.map((k) => [k, evidence[k]])),
      sharedId: canonical.id(canonicalJson(shared)),
    };
    cache.set(evidence, { keys: keyText, split });
    return split;
  };
}

/** Small numbers for values, equal for equal values. */
class Interner<T> {
  private readonly ids = new Map<T, number>();

  id(value: T): number {
    let id = this.ids.get(value);
    if (id === undefined) this.ids.set(value, (id = this.ids.size));
    return id;
  }
}
