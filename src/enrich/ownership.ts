import type { OwnershipEdge } from '../model/generated/common.js';
import type { Diagnostic, LoadedDocument } from '../model/types.js';
import { located, type World } from './world.js';

/** An entity that can be in an ownership chain: a Carrier or an Owner (as listings.ts names it too). */
type RegistryEntity = LoadedDocument<'Carrier' | 'Owner'>;

/** One entity on the path from a carrier to whoever ultimately controls it. */
export interface ChainStep {
  id: string;
  name: string;
  kind: 'Carrier' | 'Owner';
  type: string;
  country: string;
  /** The share this entity holds in the previous step (absent for the carrier itself). */
  share?: number;
  /** True when the holding is declared controlling (`control: true`) rather than a majority. */
  control?: boolean;
  /** Where the ownership edge (or, for the carrier, its id) is written: "file:line". */
  source: string;
}

/** Where one candidate controlling owner of an ambiguous entity would lead, had it been the controlling one. */
export interface OwnershipCandidate {
  /** From the carrier through the candidate up to the end of the candidate's own controlling chain. */
  chain: ChainStep[];
  controller: ChainStep;
  group: ChainStep;
  /** The candidate's chain itself resolves (a candidate with undeclared owners ends short). */
  resolved: boolean;
}

export interface OwnershipResolution {
  resolved: boolean;
  /** Why the chain does not resolve (undeclared owners, unknown owner, cycle, inconsistent holdings). */
  problem: string;
  chain: ChainStep[];
  controller: ChainStep;
  /**
   * The operating group: the topmost entity of the controlling chain that is not a `government` (SASAC
   * controls China Mobile, China Telecom and China Unicom, but they are three groups). Equal to the
   * controller when the chain has no government.
   */
  group: ChainStep;
  /** The controller is a government or a state enterprise. */
  stateControlled: boolean;
  /**
   * Only when an entity on the chain has inconsistent holdings (shares over 100 %, or several `control:
   * true` edges): one entry per owner that could be its controlling one. The resolution itself then stops
   * at that entity (resolved: false) instead of letting the first-listed owner win silently, and risk is
   * judged on every candidate (see carrierView): a hostile owner listed second cannot hide behind a benign
   * one listed first. Empty otherwise.
   */
  candidates: OwnershipCandidate[];
}

const STATE_TYPES = new Set(['government', 'state-enterprise']);
/** Entities that can legitimately have no owners of their own. */
const SELF_OWNED_TYPES = new Set(['government', 'individual']);
/** Shares are written with decimals (33.3 + 33.3 + 33.4): rounding must not make a consistent register inconsistent. */
const SHARE_TOLERANCE = 1e-6;
/** Candidates of candidates can multiply on a badly broken register: enough to judge risk, bounded. */
const MAX_CANDIDATES = 64;

/**
 * Follows controlling holdings (> 50 %, or `control: true`) upwards until an entity has no controlling
 * owner. Memoised per entity, so a million routes through the same carriers resolve each carrier once.
 */
export class OwnershipResolver {
  private readonly cache = new Map<string, OwnershipResolution>();
  readonly diagnostics: Diagnostic[] = [];
  private readonly reportedCycles = new Set<string>();

  constructor(private readonly world: World) {}

  resolve(carrierId: string): OwnershipResolution {
    const cached = this.cache.get(carrierId);
    if (cached) return cached;
    const result = this.resolveCarrier(carrierId);
    this.cache.set(carrierId, result);
    return result;
  }

  private entity(id: string): RegistryEntity | undefined {
    return this.world.owners.get(id) ?? this.world.carriers.get(id);
  }

  private resolveCarrier(carrierId: string): OwnershipResolution {
    const start = this.world.carriers.get(carrierId);
    if (!start) {
      const unknown: ChainStep = {
        id: carrierId,
        name: carrierId,
        kind: 'Carrier',
        type: 'unknown',
        country: '',
        source: '',
      };
      return {
        resolved: false,
        problem: `carrier "${carrierId}" is not defined`,
        chain: [unknown],
        controller: unknown,
        group: unknown,
        stateControlled: false,
        candidates: [],
      };
    }
    return this.walk(start, [step(start)]);
  }

  /** Walks up from `current`, whose step already ends `chain`. */
  private walk(start: RegistryEntity, chain: ChainStep[]): OwnershipResolution {
    let current = start;
    for (;;) {
      const edges = current.value.spec.ownership ?? [];
      const conflict = holdingConflict(edges);
      if (conflict) {
        const problem = `the holdings of ${current.value.metadata.name ?? current.id} are inconsistent (${conflict}), so which owner controls it cannot be decided`;
        return { ...finish(chain, false, problem), candidates: this.candidatesOf(current, edges, chain) };
      }
      const controllingIndex = controllingEdge(edges);
      if (controllingIndex < 0) {
        const declared = Array.isArray(current.value.spec.ownership);
        const type = typeOf(current);
        if (!declared && !SELF_OWNED_TYPES.has(type)) {
          const problem = `the owners of ${current.value.metadata.name ?? current.id} (${type}, ${countryOf(current)}) are not declared`;
          return finish(chain, false, problem);
        }
        return finish(chain, true, '');
      }
      const edge = edges[controllingIndex];
      const next = this.entity(edge.owner);
      const edgeSource = current.positions.locate(['spec', 'ownership', controllingIndex, 'owner']);
      if (!next) return finish(chain, false, `owner "${edge.owner}" of ${current.id} is not defined`);
      if (chain.some((s) => s.id === next.id)) {
        this.reportCycle(current, controllingIndex, chain, next.id);
        return finish(chain, false, `ownership cycle through ${next.id}`);
      }
      chain = [
        ...chain,
        { ...step(next), share: edge.share, control: edge.control, source: `${edgeSource.file}:${edgeSource.line}` },
      ];
      current = next;
    }
  }

  /** The chains each possible controlling owner of an ambiguous entity leads to (flattened, bounded). */
  private candidatesOf(entity: RegistryEntity, edges: OwnershipEdge[], chain: ChainStep[]): OwnershipCandidate[] {
    const out: OwnershipCandidate[] = [];
    for (const index of candidateEdges(edges)) {
      const edge = edges[index];
      const next = this.entity(edge.owner);
      if (!next || chain.some((s) => s.id === next.id)) continue; // unknown owners and cycles are reported elsewhere
      const at = entity.positions.locate(['spec', 'ownership', index, 'owner']);
      const sub = this.walk(next, [
        ...chain,
        { ...step(next), share: edge.share, control: edge.control, source: `${at.file}:${at.line}` },
      ]);
      const leaves: OwnershipCandidate[] =
        sub.candidates.length > 0
          ? sub.candidates
          : [{ chain: sub.chain, controller: sub.controller, group: sub.group, resolved: sub.resolved }];
      for (const leaf of leaves) if (out.length < MAX_CANDIDATES) out.push(leaf);
    }
    return out;
  }

  private reportCycle(current: RegistryEntity, index: number, chain: ChainStep[], nextId: string): void {
    const at = current.positions.locate(['spec', 'ownership', index, 'owner']);
    const key = `${at.file}:${at.line}`;
    if (this.reportedCycles.has(key)) return;
    this.reportedCycles.add(key);
    this.diagnostics.push(
      located(
        current,
        ['spec', 'ownership', index, 'owner'],
        'ownership-cycle',
        `ownership cycle: ${[...chain.map((s) => s.id), nextId].join(' → ')} (a controlling chain must end at an owner with no controlling owner)`,
      ),
    );
  }
}

/** Index of the edge that controls: an explicit `control: true` wins, else the largest holding over 50 %. */
export function controllingEdge(edges: ReadonlyArray<{ share: number; control?: boolean }>): number {
  const explicit = edges.findIndex((e) => e.control === true);
  if (explicit >= 0) return explicit;
  let best = -1;
  edges.forEach((e, i) => {
    if (e.share > 50 && e.control !== false && (best < 0 || e.share > edges[best].share)) best = i;
  });
  return best;
}

/**
 * Why an entity's own holdings cannot all be true, or undefined: shares summing over 100 %, or more than
 * one edge marked `control: true`. With either, "the controlling owner" is whichever the register lists
 * first, which is no fact at all.
 */
export function holdingConflict(edges: ReadonlyArray<OwnershipEdge>): string | undefined {
  const problems: string[] = [];
  const total = edges.reduce((sum, e) => sum + (Number.isFinite(e.share) ? e.share : 0), 0);
  if (total > 100 + SHARE_TOLERANCE) {
    problems.push(
      `shares sum to ${Math.round(total * 1000) / 1000} %: ${edges.map((e) => `${e.owner} ${e.share} %`).join(', ')}`,
    );
  }
  const controlling = edges.filter((e) => e.control === true);
  if (controlling.length > 1)
    problems.push(
      `${controlling.length} owners are marked control: true: ${controlling.map((e) => e.owner).join(', ')}`,
    );
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/**
 * The owners of an inconsistent entity that could be its controlling one: those marked `control: true`
 * or holding more than 50 %. When the figures rule none in (50 + 30 + 30), none can be ruled out either,
 * so every owner not marked `control: false` is a candidate.
 */
export function candidateEdges(edges: ReadonlyArray<OwnershipEdge>): number[] {
  const indexes = edges.map((_, i) => i);
  const strong = indexes.filter(
    (i) => edges[i].control === true || (edges[i].share > 50 && edges[i].control !== false),
  );
  return strong.length > 0 ? strong : indexes.filter((i) => edges[i].control !== false);
}

/**
 * Input errors no single document shows by its schema: an entity whose owners hold more than 100 %, or
 * more than one `control: true` owner. Located at the entity's `spec.ownership`. Run once per audit over
 * every Carrier and Owner (registry, auditor and submissions alike).
 */
export function checkHoldings(world: World): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const doc of [...world.carriers.values(), ...world.owners.values()]) {
    const conflict = holdingConflict(doc.value.spec.ownership ?? []);
    if (!conflict) continue;
    diagnostics.push(
      located(
        doc,
        ['spec', 'ownership'],
        'ownership',
        `inconsistent holdings in ${doc.kind} ${doc.id}: ${conflict}. Its controlling owner cannot be decided, so its ownership is treated as unresolved and it is judged high-risk if any of these owners would make it so`,
      ),
    );
  }
  return diagnostics;
}

function typeOf(doc: RegistryEntity): string {
  return doc.kind === 'Owner' ? doc.value.spec.type : 'company';
}

/** '' when the jurisdiction is unconfirmed: the registry leaves it out and metadata.annotations.jurisdiction says why. */
function countryOf(doc: RegistryEntity): string {
  return (doc.kind === 'Owner' ? doc.value.spec.country : doc.value.spec.incorporatedIn) ?? '';
}

function step(doc: RegistryEntity): ChainStep {
  const at = doc.positions.locate(['metadata', 'id']);
  return {
    id: doc.id,
    name: doc.value.metadata.name ?? doc.id,
    kind: doc.kind,
    type: typeOf(doc),
    country: countryOf(doc),
    source: `${at.file}:${at.line}`,
  };
}

/** The topmost step that is not a government; the carrier itself when every owner above it is one. */
export function operatingGroup(chain: readonly ChainStep[]): ChainStep {
  for (let i = chain.length - 1; i >= 0; i--) if (chain[i].type !== 'government') return chain[i];
  return chain[0];
}

function finish(chain: ChainStep[], resolved: boolean, problem: string): OwnershipResolution {
  const controller = chain[chain.length - 1];
  return {
    resolved,
    problem,
    chain,
    controller,
    group: operatingGroup(chain),
    stateControlled: resolved && STATE_TYPES.has(controller.type),
    candidates: [],
  };
}

/**
 * "CMI (HK) → China Mobile Ltd (HK, company, 72.7 %) → China Mobile Communications Group (CN,
 * state-enterprise, 100 %) [operating group] → SASAC (CN, government, 100 %) [ultimate controller]".
 * Every report prints this text, so the group is always shown beside the controller. Both are marked
 * only on a resolved chain: where it stops short, its last step is no ultimate controller.
 */
export function chainText(chain: readonly ChainStep[], marks: { group?: string; controller?: string } = {}): string {
  return chain
    .map((s, i) => {
      const country = s.country || 'jurisdiction unconfirmed';
      const text =
        i === 0
          ? `${s.name} (${country})`
          : `${s.name} (${country}, ${s.type}, ${s.control ? 'control' : `${s.share} %`})`;
      const isGroup = marks.group === s.id;
      const isController = marks.controller === s.id && i === chain.length - 1;
      const mark =
        isGroup && isController
          ? 'operating group and ultimate controller'
          : isGroup
            ? 'operating group'
            : isController
              ? 'ultimate controller'
              : '';
      return mark ? `${text} [${mark}]` : text;
    })
    .join(' → ');
}

/** The marks chainText should show for a resolution: none where the chain does not resolve. */
export function chainMarks(resolution: Pick<OwnershipResolution, 'resolved' | 'group' | 'controller'>): {
  group?: string;
  controller?: string;
} {
  return resolution.resolved ? { group: resolution.group.id, controller: resolution.controller.id } : {};
}
