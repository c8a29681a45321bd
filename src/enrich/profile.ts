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
  parameters: Record<string, unknown>;
  disabled: string[];
  severity: Record<string, Severity>;
  failOn: Severity | 'none';
}

export interface ProfileRequest {
  /** Profile id chosen with --profile; else the single AuditProfile among the inputs; else `default`. */
  id?: string;
  /** --date, used when the profile sets no auditDate. */
  date?: string;
  /** The run date, used when neither the profile nor --date gives one. */
  today: string;
}

export const BASE_PROFILE_ID = 'default';

export function resolveProfile(world: World, request: ProfileRequest): { profile: EffectiveProfile; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const selectedId = chooseProfileId(world, request, diagnostics);
  const chain: LoadedDocument[] = [];
  for (let id: string | undefined = selectedId; id !== undefined; ) {
    const doc = world.profiles.get(id);
    if (!doc) break; // an unknown `extends` is already reported by buildWorld
    if (chain.includes(doc)) {
      diagnostics.push(located(doc, ['spec', 'extends'], 'profile', `profile "extends" chain loops back to "${id}"`));
      break;
    }
    chain.push(doc);
    id = doc.value.spec.extends;
  }
  const base = world.profiles.get(BASE_PROFILE_ID);
  if (base && !chain.includes(base)) chain.push(base);

  // Merge from the base upwards so the selected profile's own settings win.
  const parameters: Record<string, unknown> = {};
  const severity: Record<string, Severity> = {};
  const disabled = new Set<string>();
  let failOn: Severity | 'none' = 'high';
  let auditDate: string | undefined;
  for (const doc of [...chain].reverse()) {
    const spec = doc.value.spec;
    Object.assign(parameters, spec.parameters ?? {});
    Object.assign(severity, spec.controls?.severity ?? {});
    for (const id of spec.controls?.disable ?? []) disabled.add(id);
    if (spec.failOn) failOn = spec.failOn;
    if (spec.auditDate) auditDate = spec.auditDate;
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
    },
  };
}

function chooseProfileId(world: World, request: ProfileRequest, diagnostics: Diagnostic[]): string {
  if (request.id !== undefined) {
    if (world.profiles.has(request.id)) return request.id;
    const known = [...world.profiles.keys()].sort().join(', ');
    diagnostics.push({ file: '--profile', line: 0, column: 0, code: 'usage', message: `no AuditProfile with id "${request.id}" (known: ${known}); using "${BASE_PROFILE_ID}"` });
    return BASE_PROFILE_ID;
  }
  const fromInputs = [...world.profiles.values()].filter((d) => !d.builtin);
  if (fromInputs.length === 1) return fromInputs[0].id;
  if (fromInputs.length > 1) {
    const ids = fromInputs.map((d) => d.id).sort();
    diagnostics.push({ ...fromInputs[1].positions.locate(['metadata', 'id']), code: 'usage', message: `several AuditProfiles among the inputs (${ids.join(', ')}): choose one with --profile; using "${BASE_PROFILE_ID}"` });
  }
  return BASE_PROFILE_ID;
}
