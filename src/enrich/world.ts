import type { Diagnostic, DocPath, Kind, LoadedDocument } from '../model/types.js';
import { SHARED_KINDS } from '../model/types.js';
import { appendAll } from '../model/arrays.js';

/** Every document of a run indexed by kind and id, with user Carrier/Owner documents overriding the registry. */
export interface World {
  operators: Map<string, LoadedDocument>;
  carriers: Map<string, LoadedDocument>;
  owners: Map<string, LoadedDocument>;
  profiles: Map<string, LoadedDocument>;
  /** Per operator id: its agreements, routing tables, firewall policies and waivers. */
  submissions: Map<string, SubmissionDocs>;
}

export interface SubmissionDocs {
  agreements: LoadedDocument[];
  tables: LoadedDocument[];
  firewalls: LoadedDocument[];
  waivers: LoadedDocument[];
}

const PER_OPERATOR_SLOT: Partial<Record<Kind, keyof SubmissionDocs>> = {
  InterconnectAgreement: 'agreements',
  RoutingTable: 'tables',
  FirewallPolicy: 'firewalls',
  Waiver: 'waivers',
};

/**
 * Drops the parsed routes of an operator's routing tables once the operator is audited. The route views
 * and the inventory keep everything later stages read, and the parsed routes of a million-route table are
 * over a gigabyte of heap that the reporters would otherwise have to share. Reading `spec.routes` of a
 * released table afterwards is a bug and says so, instead of quietly finding no routes.
 */
export function releaseParsedRoutes(docs: SubmissionDocs): void {
  for (const table of docs.tables) {
    const spec = { ...table.value.spec };
    delete spec.routes;
    Object.defineProperty(spec, 'routes', {
      enumerable: false,
      get() {
        throw new Error(`the parsed routes of ${table.file} (${table.id}) were released after its operator was audited`);
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
 * Built-in documents (the registry, shipped profiles) come first so user documents override them by id.
 */
export function buildWorld(builtin: LoadedDocument[], user: LoadedDocument[]): { world: World; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const world: World = { operators: new Map(), carriers: new Map(), owners: new Map(), profiles: new Map(), submissions: new Map() };
  const sharedMap: Partial<Record<Kind, Map<string, LoadedDocument>>> = {
    Operator: world.operators,
    Carrier: world.carriers,
    Owner: world.owners,
    AuditProfile: world.profiles,
  };
  const seenPerOperator = new Map<string, LoadedDocument>();

  for (const doc of [...builtin, ...user]) {
    if (SHARED_KINDS.includes(doc.kind)) {
      const map = sharedMap[doc.kind]!;
      const previous = map.get(doc.id);
      if (previous && !previous.builtin) {
        diagnostics.push(located(doc, ['metadata', 'id'], 'duplicate-id', `duplicate ${doc.kind} id "${doc.id}" (first defined at ${where(previous)})`));
        continue;
      }
      map.set(doc.id, doc); // a user document replaces a built-in one with the same id
      continue;
    }
    const key = `${doc.operator}\u0001${doc.kind}\u0001${doc.id}`;
    const previous = seenPerOperator.get(key);
    if (previous) {
      diagnostics.push(located(doc, ['metadata', 'id'], 'duplicate-id', `duplicate ${doc.kind} id "${doc.id}" for operator ${doc.operator} (first defined at ${where(previous)})`));
      continue;
    }
    seenPerOperator.set(key, doc);
  }

  for (const id of world.operators.keys()) world.submissions.set(id, { agreements: [], tables: [], firewalls: [], waivers: [] });
  for (const doc of seenPerOperator.values()) {
    const submission = world.submissions.get(doc.operator!);
    if (!submission) {
      diagnostics.push(located(doc, ['metadata', 'operator'], 'reference', `unknown operator "${doc.operator}": no Operator document has this id, so this ${doc.kind} is not audited`));
      continue;
    }
    submission[PER_OPERATOR_SLOT[doc.kind]!].push(doc);
  }

  appendAll(diagnostics, checkReferences(world));
  return { world, diagnostics };
}

function checkReferences(world: World): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const need = (doc: LoadedDocument, path: DocPath, id: unknown, ok: boolean, what: string) => {
    if (!ok) diagnostics.push(located(doc, path, 'reference', `unknown ${what} "${String(id)}"`));
  };
  const isCarrier = (id: string) => world.carriers.has(id);
  const isParty = (id: string) => world.owners.has(id) || world.carriers.has(id);

  for (const doc of [...world.carriers.values(), ...world.owners.values()]) {
    (doc.value.spec.ownership ?? []).forEach((edge: { owner: string }, i: number) =>
      need(doc, ['spec', 'ownership', i, 'owner'], edge.owner, isParty(edge.owner), 'owner (no Owner or Carrier has this id)'),
    );
  }
  for (const profile of world.profiles.values()) {
    const parent = profile.value.spec.extends;
    if (parent !== undefined) need(profile, ['spec', 'extends'], parent, world.profiles.has(parent), 'profile to extend');
  }
  for (const submission of world.submissions.values()) {
    const firewallIds = new Set(submission.firewalls.map((d) => d.id));
    for (const doc of submission.agreements) {
      const spec = doc.value.spec;
      need(doc, ['spec', 'counterparty'], spec.counterparty, isCarrier(spec.counterparty), 'carrier');
      (spec.clauses?.subcontracting?.approved ?? []).forEach((id: string, i: number) =>
        need(doc, ['spec', 'clauses', 'subcontracting', 'approved', i], id, isCarrier(id), 'carrier'),
      );
    }
    for (const doc of submission.tables) {
      const routeIds = new Map<string, number>();
      // A million routes are checked here: paths are built only for the references that fail.
      (doc.value.spec.routes as any[]).forEach((route, r) => {
        const at = (...rest: Array<string | number>): DocPath => ['spec', 'routes', r, ...rest];
        const first = routeIds.get(route.id);
        if (first !== undefined) {
          const line = doc.positions.locate(['spec', 'routes', first, 'id']).line;
          diagnostics.push(located(doc, at('id'), 'duplicate-id', `duplicate route id "${route.id}" in this table (first at line ${line})`));
        } else routeIds.set(route.id, r);
        if (!isCarrier(route.primary.carrier)) need(doc, at('primary', 'carrier'), route.primary.carrier, false, 'carrier');
        (route.backups ?? []).forEach((hop: { carrier: string }, i: number) => {
          if (!isCarrier(hop.carrier)) need(doc, at('backups', i, 'carrier'), hop.carrier, false, 'carrier');
        });
        (route.transit ?? []).forEach((id: string, i: number) => {
          if (!isCarrier(id)) need(doc, at('transit', i), id, false, 'carrier');
        });
        if (route.firewall !== undefined && !firewallIds.has(route.firewall)) {
          need(doc, at('firewall'), route.firewall, false, `firewall policy of operator ${doc.operator}`);
        }
      });
    }
  }
  return diagnostics;
}
