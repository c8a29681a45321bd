import { Environment } from '@marcbachmann/cel-js';
import type { ControlDefinition } from '../model/control.js';
import type { Diagnostic, DocPath } from '../model/types.js';
import type { LoadedControl } from '../load/controls.js';

export type CelProgram = (context: Record<string, unknown>) => unknown;

/** A control with every CEL expression parsed once (never per subject). */
export interface CompiledControl {
  definition: ControlDefinition;
  file: string;
  applies?: CelProgram;
  evidenced?: CelProgram;
  lets: Array<[string, CelProgram]>;
  pass: CelProgram;
  evidence: Array<[string, CelProgram]>;
  location?: CelProgram;
  /** Evidence keys that are each subject's own, not the cause's (the control's `occurrenceEvidence`). */
  occurrenceEvidence: readonly string[];
}

const environment = new Environment({
  unlistedVariablesAreDyn: true,
  homogeneousAggregateLiterals: false,
  enableOptionalTypes: true,
  limits: { maxAstNodes: 5000, maxDepth: 64, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 32 },
});

/** Parses every expression of a control; a syntax error is reported at the expression's line in the control file. */
export function compileControl(control: LoadedControl): { compiled?: CompiledControl; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const check = control.definition.check;
  const parse = (source: string | undefined, path: DocPath): CelProgram | undefined => {
    if (source === undefined) return undefined;
    try {
      return environment.parse(source) as unknown as CelProgram;
    } catch (err) {
      const firstLine = String((err as Error).message).split('\n')[0];
      diagnostics.push({
        ...control.positions.locate(path),
        code: 'control',
        message: `${control.definition.id}: cannot parse CEL expression: ${firstLine}`,
      });
      return undefined;
    }
  };
  const named = (map: Record<string, string> | undefined, field: string): Array<[string, CelProgram]> =>
    Object.entries(map ?? {}).flatMap(([name, source]) => {
      const program = parse(source, ['check', field, name]);
      return program ? [[name, program] as [string, CelProgram]] : [];
    });

  const compiled: CompiledControl = {
    definition: control.definition,
    file: control.file,
    applies: parse(check.applies, ['check', 'applies']),
    evidenced: parse(check.evidenced, ['check', 'evidenced']),
    lets: named(check.let, 'let'),
    pass: parse(check.pass, ['check', 'pass'])!,
    evidence: named(check.evidence, 'evidence'),
    location: parse(check.location, ['check', 'location']),
    occurrenceEvidence: control.occurrenceEvidence,
  };
  return diagnostics.length > 0 ? { diagnostics } : { compiled, diagnostics };
}

/** CEL integers are BigInt; findings are JSON, so turn them back into numbers everywhere. */
export function toPlain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(toPlain);
  if (value instanceof Map) return Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), toPlain(v)]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlain(v);
    return out;
  }
  return value;
}
