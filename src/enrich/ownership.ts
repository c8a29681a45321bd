import type { Diagnostic, LoadedDocument } from '../model/types.js';
import { located, type World } from './world.js';

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

export interface OwnershipResolution {
  resolved: boolean;
  /** Why the chain does not resolve (undeclared owners, unknown owner, cycle). */
  problem: string;
  chain: ChainStep[];
  controller: ChainStep;
  /** The controller is a government or a state enterprise. */
  stateControlled: boolean;
}

const STATE_TYPES = new Set(['government', 'state-enterprise']);
/** Entities that can legitimately have no owners of their own. */
const SELF_OWNED_TYPES = new Set(['government', 'individual']);

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
    const result = this.walk(carrierId);
    this.cache.set(carrierId, result);
    return result;
  }

  private entity(id: string): LoadedDocument | undefined {
    return this.world.owners.get(id) ?? this.world.carriers.get(id);
  }

  private walk(carrierId: string): OwnershipResolution {
    const start = this.world.carriers.get(carrierId);
    if (!start) {
      const unknown: ChainStep = { id: carrierId, name: carrierId, kind: 'Carrier', type: 'unknown', country: '', source: '' };
      return { resolved: false, problem: `carrier "${carrierId}" is not defined`, chain: [unknown], controller: unknown, stateControlled: false };
    }
    const chain: ChainStep[] = [step(start)];
    let current = start;
    for (;;) {
      const edges: Array<{ owner: string; share: number; control?: boolean }> = current.value.spec.ownership ?? [];
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
        const key = `${edgeSource.file}:${edgeSource.line}`;
        if (!this.reportedCycles.has(key)) {
          this.reportedCycles.add(key);
          this.diagnostics.push(
            located(current, ['spec', 'ownership', controllingIndex, 'owner'], 'ownership-cycle',
              `ownership cycle: ${[...chain.map((s) => s.id), next.id].join(' → ')} (a controlling chain must end at an owner with no controlling owner)`),
          );
        }
        return finish(chain, false, `ownership cycle through ${next.id}`);
      }
      chain.push({ ...step(next), share: edge.share, control: edge.control, source: `${edgeSource.file}:${edgeSource.line}` });
      current = next;
    }
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

function typeOf(doc: LoadedDocument): string {
  return doc.kind === 'Owner' ? doc.value.spec.type : 'company';
}

function countryOf(doc: LoadedDocument): string {
  return doc.kind === 'Owner' ? doc.value.spec.country : doc.value.spec.incorporatedIn;
}

function step(doc: LoadedDocument): ChainStep {
  const at = doc.positions.locate(['metadata', 'id']);
  return {
    id: doc.id,
    name: doc.value.metadata.name ?? doc.id,
    kind: doc.kind as 'Carrier' | 'Owner',
    type: typeOf(doc),
    country: countryOf(doc),
    source: `${at.file}:${at.line}`,
  };
}

function finish(chain: ChainStep[], resolved: boolean, problem: string): OwnershipResolution {
  const controller = chain[chain.length - 1];
  return { resolved, problem, chain, controller, stateControlled: resolved && STATE_TYPES.has(controller.type) };
}

/** "cmi → China Mobile Ltd (HK, 72.7 %) → China Mobile Communications Group (CN, state-enterprise, 100 %)". */
export function chainText(chain: ChainStep[]): string {
  return chain
    .map((s, i) => (i === 0 ? `${s.name} (${s.country})` : `${s.name} (${s.country}, ${s.type}, ${s.control ? 'control' : `${s.share} %`})`))
    .join(' → ');
}
