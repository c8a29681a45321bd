import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import type { Diagnostic, PositionLookup } from '../model/types.js';
import type { ControlDefinition } from '../model/control.js';
import type { ControlDocument } from '../model/generated/control.js';
import { compareText } from '../model/order.js';
import { BUILTIN_PREFIX, controlsDir, packageRoot } from '../paths.js';
import { describeSchemaErrors, schemaValidator } from './schemas.js';
import { parseYaml } from './yaml.js';

export interface LoadedControl {
  definition: ControlDefinition;
  file: string;
  positions: PositionLookup;
  /**
   * The keys of its evidence that are each subject's own (`occurrenceEvidence`, empty when none): they do
   * not split a cause, and are kept per occurrence (src/engine/causes.ts).
   */
  occurrenceEvidence: string[];
}

/** The files loadControls reads, in its order: every `<family>/<name>.yaml` under `dir`. */
export function controlFiles(dir: string = controlsDir): Array<{ family: string; name: string; path: string }> {
  const families = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort(compareText);
  return families.flatMap((family) =>
    readdirSync(join(dir, family))
      .filter((f) => f.endsWith('.yaml'))
      .sort(compareText)
      .map((name) => ({ family, name, path: join(dir, family, name) })),
  );
}

/** Loads controls/<family>/<ID>.yaml; a broken control is reported with its location and left out. */
export function loadControls(dir: string = controlsDir): { controls: LoadedControl[]; diagnostics: Diagnostic[] } {
  const controls: LoadedControl[] = [];
  const diagnostics: Diagnostic[] = [];
  const validate = schemaValidator('control');
  for (const { family, name, path } of controlFiles(dir)) {
    const file = dir === controlsDir ? BUILTIN_PREFIX + relative(packageRoot, path).split(sep).join('/') : path;
    const parsed = parseYaml(file, readFileSync(path, 'utf8'));
    diagnostics.push(...parsed.diagnostics);
    const doc = parsed.documents[0];
    if (!doc) continue;
    if (!validate(doc.value)) {
      diagnostics.push(
        ...describeSchemaErrors(validate.errors ?? [], doc.positions).map((m) => ({
          ...m,
          code: 'control' as const,
        })),
      );
      continue;
    }
    const definition = doc.value as ControlDefinition;
    const expectedId = basename(name, '.yaml');
    if (definition.id !== expectedId || definition.family !== family) {
      diagnostics.push({
        ...doc.positions.locate(['id']),
        code: 'control',
        message: `control id ${definition.id} (family ${definition.family}) must match its file ${family}/${name}`,
      });
      continue;
    }
    const occurrenceEvidence = (doc.value as ControlDocument).occurrenceEvidence ?? [];
    // A key the check does not compute would silently keep nothing per occurrence: say so instead.
    const unknown = occurrenceEvidence.filter((key) => !Object.hasOwn(definition.check.evidence ?? {}, key));
    if (unknown.length > 0) {
      diagnostics.push({
        ...doc.positions.locate(['occurrenceEvidence']),
        code: 'control',
        message: `${definition.id}: occurrenceEvidence names ${unknown.join(', ')}, which check.evidence does not define`,
      });
      continue;
    }
    controls.push({ definition, file, positions: doc.positions, occurrenceEvidence });
  }
  return { controls, diagnostics };
}
