import type { Diagnostic, DocPath, Kind, LoadedDocument } from '../model/types.js';
import { SHARED_KINDS } from '../model/types.js';
import { appendAll } from '../model/arrays.js';
import { nearestName } from '../model/nearest.js';
import { progressEvery } from '../model/progress.js';
import type { RegistryChange } from '../model/report.js';
import type { RoutingTableSpec } from '../model/generated/routing-table.js';

export type { RegistryChange };

/** Every document of a run indexed by kind and id, with the auditor's Carrier/Owner documents overriding the registry. */
export interface World {
  operators: Map<string, LoadedDocument<'Operator'>>;
  carriers: Map<string, LoadedDocument<'Carrier'>>;
  owners: Map<string, LoadedDocument<'Owner'>>;
  /** The shipped profiles and the auditor's --profile file: never a submission's. */
  profiles: Map<string, LoadedDocument<'AuditProfile'>>;
  /** Per operator id: its agreements, routing tables, firewall policies and waivers. */
  submissions: Map<string, SubmissionDocs>;
  /** What the auditor's --registry files changed against the bundled registry, in input order. */
  registryChanges: RegistryChange[];
  /**
   * Operators whose Operator document could not be loaded: they are reported (INCOMPLETE, with the error),
   * never silently missing from the run, and their other documents are not audited.
   */
  rejectedOperators: Map<string, Diagnostic>;
}

export interface SubmissionDocs {
  agreements: LoadedDocument<'InterconnectAgreement'>[];
  tables: LoadedDocument<'RoutingTable'>[];
  firewalls: LoadedDocument<'FirewallPolicy'>[];
  waivers: LoadedDocument<'Waiver'>[];
}

/** A world with nothing in it yet. */
export function emptyWorld(rejectedOperators: Map<string, Diagnostic> = new Map()): World {
  return {
    operators: new Map(),
    carriers: new Map(),
    owners: new Map(),
    profiles: new Map(),
    submissions: new Map(),
    registryChanges: [],
    rejectedOperators,
  };
}

export function emptySubmission(): SubmissionDocs {
  return { agreements: [], tables: [], firewalls: [], waivers: [] };
}

/** Files a per-operator document in its operator's submission; shared kinds have no place there. */
export function addToSubmission(submission: SubmissionDocs, doc: LoadedDocument): void {
  if (doc.kind === 'InterconnectAgreement') submission.agreements.push(doc);
  else if (doc.kind === 'RoutingTable') submission.tables.push(doc);
  else if (doc.kind === 'FirewallPolicy') submission.firewalls.push(doc);
  else if (doc.kind === 'Waiver') submission.waivers.push(doc);
}

/**
 * Drops the parsed routes of an operator's routing tables once its routes are enriched. The route views
 * keep everything evaluation, the inventory and later stages read, and the parsed routes of a million-route table are
 * over a gigabyte of heap that the reporters would otherwise have to share. Reading `spec.routes` of a
 * released table afterwards is a bug and says so, instead of quietly finding no routes.
 */
export function releaseParsedRoutes(docs: SubmissionDocs): void {
  for (const table of docs.tables) {
    const spec: RoutingTableSpec = { ...table.value.spec };
    Reflect.deleteProperty(spec, 'routes'); // `delete` refuses a property the type requires
    Object.defineProperty(spec, 'routes', {
      enumerable: false,
      get() {
        throw new Error(`the parsed routes of ${table.file} (${table.id}) were released once its routes were enriched`);
      },
    });
    table.value = { ...table.value, spec };
  }
}

export function located(doc: LoadedDocument, path: DocPath, code: Diagnostic['code'], message: string): Diagnostic {
  return { ...doc.positions.locate(path), code, message };
}

function where(doc: LoadedDocument): string {
  const at = doc.positions.locate(['metadata', 'id']);
  return `${at.file}:${at.line}:${at.column}`;
}

/**
 * Indexes documents and checks what no single document can: duplicate ids, and that every reference
 * (operator, counterparty, route carrier, firewall, owner, approved subcontractor, profile) resolves.
 *
 * `trusted` are the shipped documents and the auditor's (origin 'builtin' or 'auditor'), `submitted` the
 * audited operators' own (spec input-model.md, "Who supplies what"). A submission cannot change the audit:
 * an AuditProfile in it is not applied, and a Carrier or Owner it declares that the registry or the
 * auditor already defines, or that another submission declares differently, is a located conflict error
 * while the trusted (or first) fact stands.
 */
export function buildWorld(
  trusted: LoadedDocument[],
  submitted: LoadedDocument[],
  rejectedOperators: ReadonlyMap<string, Diagnostic> = new Map(),
  /** Documents the loader dropped (rejectedKey → the first problem): references to them say so. */
  rejectedDocuments: ReadonlyMap<string, Diagnostic> = new Map(),
  /** Hears how many routes' references are checked, now and then (progressEvery). */
  onRoutes?: (done: number, total: number) => void,
): { world: World; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const world = emptyWorld(
    new Map([...rejectedOperators].filter(([id]) => !submitted.some((d) => d.kind === 'Operator' && d.id === id))),
  );
  const sharedMap: Partial<Record<Kind, Map<string, LoadedDocument>>> = {
    Operator: world.operators,
    Carrier: world.carriers,
    Owner: world.owners,
    AuditProfile: world.profiles,
  };
  const seenPerOperator = new Map<string, LoadedDocument>();
  const perOperator = (doc: LoadedDocument) => {
    const key = `${doc.operator}\u0001${doc.kind}\u0001${doc.id}`;
    const previous = seenPerOperator.get(key);
    if (previous) {
      diagnostics.push(
        located(
          doc,
          ['metadata', 'id'],
          'duplicate-id',
          `duplicate ${doc.kind} id "${doc.id}" for operator ${doc.operator} (first defined at ${where(previous)})`,
        ),
      );
      return;
    }
    seenPerOperator.set(key, doc);
  };

  for (const doc of trusted) {
    if (!SHARED_KINDS.includes(doc.kind)) {
      perOperator(doc);
      continue;
    }
    const map = sharedMap[doc.kind]!;
    const previous = map.get(doc.id);
    if (previous && !previous.builtin) {
      diagnostics.push(
        located(
          doc,
          ['metadata', 'id'],
          'duplicate-id',
          `duplicate ${doc.kind} id "${doc.id}" (first defined at ${where(previous)})`,
        ),
      );
      continue;
    }
    if (previous && doc.kind === 'AuditProfile') {
      diagnostics.push(
        located(
          doc,
          ['metadata', 'id'],
          'profile',
          `the shipped profile "${doc.id}" cannot be redefined: give this profile its own id and "extends: ${doc.id}"`,
        ),
      );
      continue;
    }
    if (!doc.builtin && (doc.kind === 'Carrier' || doc.kind === 'Owner')) {
      world.registryChanges.push({
        kind: doc.kind,
        id: doc.id,
        change: previous ? 'replaced' : 'added',
        at: where(doc),
        replaces: previous ? where(previous) : '',
      });
    }
    map.set(doc.id, doc); // the auditor's document replaces a bundled one with the same id
  }

  for (const doc of submitted) {
    if (doc.kind === 'AuditProfile') {
      diagnostics.push(
        located(
          doc,
          ['kind'],
          'conflict',
          `an AuditProfile in a submission is not applied: the rules of the audit come from the auditor (--profile); this document ("${doc.id}") was ignored`,
        ),
      );
      continue;
    }
    if (doc.kind === 'Carrier' || doc.kind === 'Owner') {
      const map = sharedMap[doc.kind]!;
      const previous = map.get(doc.id);
      if (!previous) map.set(doc.id, doc);
      else if (previous.origin !== 'submission') {
        const whose = previous.builtin ? 'the bundled registry' : "the auditor's registry";
        diagnostics.push(
          located(
            doc,
            ['metadata', 'id'],
            'conflict',
            `${doc.kind} "${doc.id}" is defined by ${whose} (${where(previous)}); a submission cannot redefine it, so the trusted entry is used and this one is ignored`,
          ),
        );
      } else if (canonicalJson(previous.value) !== canonicalJson(doc.value)) {
        diagnostics.push(
          located(
            doc,
            ['metadata', 'id'],
            'conflict',
            `${doc.kind} "${doc.id}" is declared differently at ${where(previous)}; the first declaration is used and this one is ignored`,
          ),
        );
      }
      continue;
    }
    if (doc.kind === 'Operator') {
      const previous = world.operators.get(doc.id);
      if (previous) {
        diagnostics.push(
          located(
            doc,
            ['metadata', 'id'],
            'duplicate-id',
            `duplicate Operator id "${doc.id}" (first defined at ${where(previous)})`,
          ),
        );
        continue;
      }
      world.operators.set(doc.id, doc);
      continue;
    }
    perOperator(doc);
  }

  for (const id of world.operators.keys()) world.submissions.set(id, emptySubmission());
  for (const doc of seenPerOperator.values()) {
    const submission = world.submissions.get(doc.operator!);
    // The auditor's waivers may cover operators this run does not audit: nothing to apply them to.
    if (!submission && doc.origin === 'auditor') continue;
    if (!submission) {
      const rejected = world.rejectedOperators.get(doc.operator!);
      const why = rejected
        ? `the Operator document of "${doc.operator}" could not be loaded (${rejected.file}:${rejected.line}:${rejected.column}), so this ${doc.kind} is not audited`
        : `unknown operator "${doc.operator}": no Operator document has this id, so this ${doc.kind} is not audited`;
      diagnostics.push({ ...located(doc, ['metadata', 'operator'], 'reference', why), operator: doc.operator });
      continue;
    }
    addToSubmission(submission, doc);
  }

  appendAll(diagnostics, checkReferences(world, rejectedDocuments, onRoutes));
  return { world, diagnostics };
}

/** JSON with keys in a fixed order, to tell whether two declarations say the same thing. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

/** Key of a document the loader dropped: kind, operator (empty for shared kinds) and id. */
export function rejectedKey(kind: string, operator: string | undefined, id: string): string {
  return `${kind}\u0000${operator ?? ''}\u0000${id}`;
}

function checkReferences(
  world: World,
  rejected: ReadonlyMap<string, Diagnostic>,
  onRoutes?: (done: number, total: number) => void,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  let routesChecked = 0;
  let routeTotal = 0;
  for (const submission of world.submissions.values())
    for (const doc of submission.tables) routeTotal += doc.value.spec.routes.length;
  const hints = new Map<string, string>();
  /**
   * A reference that does not resolve. When it names a document that failed to load, say so (one mistake,
   * one message: not "unknown" as well); otherwise suggest a near-miss id. Hints are worked out once per
   * id, as a million routes may name the same unknown carrier.
   */
  const need = (
    doc: LoadedDocument,
    path: DocPath,
    id: unknown,
    ok: boolean,
    what: string,
    kinds: readonly Kind[],
    candidates: () => Iterable<string>,
    operator?: string,
  ) => {
    if (ok) return;
    const text = String(id);
    const dropped = kinds
      .map((k) => rejected.get(rejectedKey(k, SHARED_KINDS.includes(k) ? undefined : operator, text)))
      .find((d) => d !== undefined);
    if (dropped) {
      diagnostics.push(
        located(
          doc,
          path,
          'reference',
          `${what} "${text}" could not be loaded (${dropped.file}:${dropped.line}:${dropped.column}), so this reference is not checked`,
        ),
      );
      return;
    }
    const key = `${kinds.join()}\u0000${operator ?? ''}\u0000${text}`;
    let hint = hints.get(key);
    if (hint === undefined) {
      const near = nearestName(text, candidates());
      hints.set(key, (hint = near !== undefined && near !== text ? ` (did you mean "${near}"?)` : ''));
    }
    diagnostics.push(located(doc, path, 'reference', `unknown ${what} "${text}"${hint}`));
  };
  const carrierIds = () => world.carriers.keys();
  const partyIds = () => [...world.owners.keys(), ...world.carriers.keys()];
  const isCarrier = (id: string) => world.carriers.has(id);
  const isParty = (id: string) => world.owners.has(id) || world.carriers.has(id);

  for (const doc of [...world.carriers.values(), ...world.owners.values()]) {
    (doc.value.spec.ownership ?? []).forEach((edge, i) => {
      need(
        doc,
        ['spec', 'ownership', i, 'owner'],
        edge.owner,
        isParty(edge.owner),
        'owner (no Owner or Carrier has this id)',
        ['Owner', 'Carrier'],
        partyIds,
      );
    });
  }
  for (const profile of world.profiles.values()) {
    const parent = profile.value.spec.extends;
    if (parent !== undefined)
      need(
        profile,
        ['spec', 'extends'],
        parent,
        world.profiles.has(parent),
        'profile to extend',
        ['AuditProfile'],
        () => world.profiles.keys(),
      );
  }
  for (const submission of world.submissions.values()) {
    const firewallIds = new Set(submission.firewalls.map((d) => d.id));
    for (const doc of submission.agreements) {
      const spec = doc.value.spec;
      need(
        doc,
        ['spec', 'counterparty'],
        spec.counterparty,
        isCarrier(spec.counterparty),
        'carrier',
        ['Carrier'],
        carrierIds,
      );
      (spec.clauses?.subcontracting?.approved ?? []).forEach((id, i) => {
        need(
          doc,
          ['spec', 'clauses', 'subcontracting', 'approved', i],
          id,
          isCarrier(id),
          'carrier',
          ['Carrier'],
          carrierIds,
        );
      });
    }
    for (const doc of submission.tables) {
      const routeIds = new Map<string, number>();
      // A million routes are checked here: paths are built only for the references that fail.
      doc.value.spec.routes.forEach((route, r) => {
        if (onRoutes && ++routesChecked % progressEvery.items === 0) onRoutes(routesChecked, routeTotal);
        const at = (...rest: Array<string | number>): DocPath => ['spec', 'routes', r, ...rest];
        const first = routeIds.get(route.id);
        if (first !== undefined) {
          const line = doc.positions.locate(['spec', 'routes', first, 'id']).line;
          diagnostics.push(
            located(
              doc,
              at('id'),
              'duplicate-id',
              `duplicate route id "${route.id}" in this table (first at line ${line})`,
            ),
          );
        } else routeIds.set(route.id, r);
        if (!isCarrier(route.primary.carrier))
          need(doc, at('primary', 'carrier'), route.primary.carrier, false, 'carrier', ['Carrier'], carrierIds);
        (route.backups ?? []).forEach((hop, i) => {
          if (!isCarrier(hop.carrier))
            need(doc, at('backups', i, 'carrier'), hop.carrier, false, 'carrier', ['Carrier'], carrierIds);
        });
        (route.transit ?? []).forEach((id, i) => {
          if (!isCarrier(id)) need(doc, at('transit', i), id, false, 'carrier', ['Carrier'], carrierIds);
        });
        if (route.firewall !== undefined && !firewallIds.has(route.firewall)) {
          need(
            doc,
            at('firewall'),
            route.firewall,
            false,
            `firewall policy of operator ${doc.operator}`,
            ['FirewallPolicy'],
            () => firewallIds,
            doc.operator,
          );
        }
      });
    }
  }
  return diagnostics;
}
