import type { ControlDefinition } from '../model/control.js';
import type { ProfileParameters } from '../model/generated/audit-profile.js';
import type { Diagnostic, LoadedDocument, Severity } from '../model/types.js';
import { located, type World } from './world.js';

export interface EffectiveProfile {
  id: string;
  /** The selected profile first, then what it extends, ending at the shipped `default`. */
  chain: string[];
  file: string;
  auditDate: string;
  auditDateSource: 'profile' | 'option' | 'today';
  /** Parameters after merging the chain (the profile's own value wins over what it extends). */
  parameters: ProfileParameters;
  disabled: string[];
  severity: Record<string, Severity>;
  failOn: Severity | 'none';
  /**
   * Waivers inside submissions change findings (an operator assessing itself); otherwise they are
   * requests only. From `spec.acceptSubmissionWaivers`, inherited through `extends`, default false.
   */
  acceptSubmissionWaivers: boolean;
}

export interface ProfileRequest {
  /** Profile id chosen with --profile; else the single AuditProfile among the inputs; else `default`. */
  id?: string;
  /** --date, used when the profile sets no auditDate. */
  date?: string;
  /** The run date, used when neither the profile nor --date gives one. */
  today: string;
}

/** What a profile may name: the catalog's control ids and the parameters something reads. */
export interface ProfileCatalog {
  controlIds: ReadonlySet<string>;
  parameterNames: ReadonlySet<string>;
}

export const BASE_PROFILE_ID = 'default';

/**
 * Parameters the run itself reads rather than a control: how not-evidenced counts, and the age beyond
 * which registry facts are flagged. Known even where the default profile does not set them.
 */
export const RUN_PARAMETERS: readonly string[] = ['notEvidencedIsFailure', 'maxRegistryAgeMonths'];

/**
 * The names a profile may use: every control's id; as parameters, those the shipped default profile
 * sets, those any control declares, and RUN_PARAMETERS. Computed from the catalog actually loaded, so a
 * custom --controls-dir declaring its own parameters is checked against itself.
 */
export function profileCatalog(
  controls: ReadonlyArray<{ definition: ControlDefinition }>,
  defaultProfile?: LoadedDocument,
): ProfileCatalog {
  const parameterNames = new Set<string>(RUN_PARAMETERS);
  // Callers find the default among every shipped document: only an AuditProfile has parameters.
  const defaults = defaultProfile?.kind === 'AuditProfile' ? defaultProfile.value.spec.parameters : undefined;
  for (const name of Object.keys(defaults ?? {})) parameterNames.add(name);
  for (const c of controls) for (const name of Object.keys(c.definition.parameters ?? {})) parameterNames.add(name);
  return { controlIds: new Set(controls.map((c) => c.definition.id)), parameterNames };
}

/**
 * The effective profile. Everything that makes the selected profile unusable as written (an unknown
 * --profile id, an `extends` that does not resolve or loops, a control id the catalog does not have, an
 * unknown parameter) is a located 'profile' diagnostic, never skipped: auditing under another chain than
 * the auditor chose would be a silent change of rules, so the caller must not run the audit when one is
 * returned. `catalog` is optional for callers that only display a profile; without it ids and names are
 * not checked.
 */
export function resolveProfile(
  world: World,
  request: ProfileRequest,
  catalog?: ProfileCatalog,
): { profile: EffectiveProfile; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const selectedId = chooseProfileId(world, request, diagnostics);
  const chain: LoadedDocument<'AuditProfile'>[] = [];
  for (let id: string | undefined = selectedId; id !== undefined; ) {
    const doc = world.profiles.get(id);
    if (!doc) break; // only the first id can be missing here: an unknown `extends` is reported below
    if (chain.includes(doc)) {
      diagnostics.push(
        located(
          chain[chain.length - 1],
          ['spec', 'extends'],
          'profile',
          `profile "extends" chain loops back to "${id}"`,
        ),
      );
      break;
    }
    chain.push(doc);
    const parent = doc.value.spec.extends;
    if (parent !== undefined && !world.profiles.has(parent)) {
      const known = [...world.profiles.keys()].sort().join(', ');
      diagnostics.push(
        located(
          doc,
          ['spec', 'extends'],
          'profile',
          `profile ${doc.id} extends "${parent}", which is no AuditProfile (known: ${known})`,
        ),
      );
    }
    id = parent;
  }
  const base = world.profiles.get(BASE_PROFILE_ID);
  if (base && !chain.includes(base)) chain.push(base);
  if (catalog) for (const doc of chain) diagnostics.push(...unknownNames(doc, catalog));

  // Merge from the base upwards so the selected profile's own settings win. Keys are defined, not
  // assigned, so a parameter named `__proto__` is an (unknown) parameter rather than a prototype.
  const parameters: ProfileParameters = {};
  const severity: Record<string, Severity> = {};
  const disabled = new Set<string>();
  let failOn: Severity | 'none' = 'high';
  let auditDate: string | undefined;
  let acceptSubmissionWaivers = false;
  for (const doc of [...chain].reverse()) {
    const spec = doc.value.spec;
    defineAll(parameters, spec.parameters);
    defineAll(severity, spec.controls?.severity);
    for (const id of spec.controls?.disable ?? []) disabled.add(id);
    if (spec.failOn) failOn = spec.failOn;
    if (spec.auditDate) auditDate = spec.auditDate;
    if (typeof spec.acceptSubmissionWaivers === 'boolean') acceptSubmissionWaivers = spec.acceptSubmissionWaivers;
  }

  const selected = chain[0];
  const [date, source] = auditDate
    ? [auditDate, 'profile' as const]
    : request.date
      ? [request.date, 'option' as const]
      : [request.today, 'today' as const];
  return {
    diagnostics,
    profile: {
      id: selected?.id ?? BASE_PROFILE_ID,
      chain: chain.map((d) => d.id),
      file: selected?.file ?? '',
      auditDate: date,
      auditDateSource: source,
      parameters,
      disabled: [...disabled].sort(),
      severity,
      failOn,
      acceptSubmissionWaivers,
    },
  };
}

/** Control ids in `controls.disable` / `controls.severity` and parameter names the catalog does not know. */
export function unknownNames(doc: LoadedDocument<'AuditProfile'>, catalog: ProfileCatalog): Diagnostic[] {
  const spec = doc.value.spec;
  const out: Diagnostic[] = [];
  const where = `profile ${doc.id}`;
  (spec.controls?.disable ?? []).forEach((id, i) => {
    if (!catalog.controlIds.has(id))
      out.push(
        located(
          doc,
          ['spec', 'controls', 'disable', i],
          'profile',
          `${where} disables ${id}, which the catalog does not have${suggestion(id, catalog.controlIds)}`,
        ),
      );
  });
  for (const id of Object.keys(spec.controls?.severity ?? {})) {
    if (!catalog.controlIds.has(id))
      out.push(
        locatedKey(
          doc,
          ['spec', 'controls', 'severity', id],
          `${where} sets the severity of ${id}, which the catalog does not have${suggestion(id, catalog.controlIds)}`,
        ),
      );
  }
  for (const name of Object.keys(spec.parameters ?? {})) {
    if (!catalog.parameterNames.has(name))
      out.push(
        locatedKey(
          doc,
          ['spec', 'parameters', name],
          `${where} sets the unknown parameter "${name}"${suggestion(name, catalog.parameterNames)}`,
        ),
      );
  }
  return out;
}

function locatedKey(doc: LoadedDocument, path: Array<string | number>, message: string): Diagnostic {
  return { ...doc.positions.locateKey(path), code: 'profile', message };
}

/** " (did you mean ICX-OWN-04?)" for a near miss (same text ignoring case, dashes and leading zeros), else "". */
function suggestion(name: string, known: ReadonlySet<string>): string {
  const norm = (s: string) =>
    s
      .toLowerCase()
      .replace(/[-_]/g, '')
      .replace(/(\D)0+(\d)/g, '$1$2');
  const match = [...known].sort().find((k) => norm(k) === norm(name));
  return match ? ` (did you mean ${match}?)` : '';
}

function defineAll<T>(target: Record<string, T>, source: Record<string, T> | undefined): void {
  for (const [key, value] of Object.entries(source ?? {}))
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function chooseProfileId(world: World, request: ProfileRequest, diagnostics: Diagnostic[]): string {
  if (request.id !== undefined) {
    if (world.profiles.has(request.id)) return request.id;
    const known = [...world.profiles.keys()].sort().join(', ');
    // 'profile', not 'usage': the run must not go on under the default as if the auditor had chosen it.
    diagnostics.push({
      file: '--profile',
      line: 0,
      column: 0,
      code: 'profile',
      message: `no AuditProfile with id "${request.id}" (known: ${known})`,
    });
    return BASE_PROFILE_ID;
  }
  const fromInputs = [...world.profiles.values()].filter((d) => !d.builtin);
  if (fromInputs.length === 1) return fromInputs[0].id;
  if (fromInputs.length > 1) {
    const ids = fromInputs.map((d) => d.id).sort();
    diagnostics.push({
      ...fromInputs[1].positions.locate(['metadata', 'id']),
      code: 'usage',
      message: `several AuditProfiles among the inputs (${ids.join(', ')}): choose one with --profile; using "${BASE_PROFILE_ID}"`,
    });
  }
  return BASE_PROFILE_ID;
}
