import { posix } from 'node:path';
import type { Diagnostic } from '../model/types.js';
import type { World } from './world.js';

/**
 * Which operators' submissions a file belongs to, for problems and declarations that do not name their
 * operator themselves (a file that does not parse, a Carrier declared in an operator's folder). A file
 * belongs to the operators with documents in it; else to those with documents in the nearest folder above
 * it that has any. An empty answer means nobody can be told apart: the problem concerns every operator.
 */
export function fileAttribution(world: World): (file: string) => string[] {
  const byFile = new Map<string, Set<string>>();
  const note = (file: string, operator: string) => {
    let set = byFile.get(file);
    if (!set) byFile.set(file, (set = new Set()));
    set.add(operator);
  };
  for (const [id, doc] of world.operators) note(doc.file, id);
  for (const [id, docs] of world.submissions) {
    for (const doc of [...docs.agreements, ...docs.tables, ...docs.firewalls, ...docs.waivers])
      if (doc.origin !== 'auditor') note(doc.file, id);
  }
  for (const [id, rejected] of world.rejectedOperators) note(rejected.file, id);
  const byFolder = new Map<string, Set<string>>();
  for (const [file, operators] of byFile) {
    for (let dir = posix.dirname(file); ; dir = posix.dirname(dir)) {
      let set = byFolder.get(dir);
      if (!set) byFolder.set(dir, (set = new Set()));
      for (const o of operators) set.add(o);
      if (dir === posix.dirname(dir)) break;
    }
  }
  return (file: string) => {
    const direct = byFile.get(file);
    if (direct) return [...direct].sort();
    for (let dir = posix.dirname(file); ; dir = posix.dirname(dir)) {
      const found = byFolder.get(dir);
      if (found && found.size > 0) return [...found].sort();
      if (dir === posix.dirname(dir)) return [];
    }
  };
}

/**
 * The operators a diagnostic makes INCOMPLETE: the one the document names, else the owners of its file;
 * a problem no submission can be told apart by (an auditor's or the catalog's, or a file outside every
 * submission) concerns them all.
 */
export function operatorsConcerned(
  diagnostic: Diagnostic,
  ownersOf: (file: string) => string[],
  all: readonly string[],
): readonly string[] {
  if (diagnostic.operator !== undefined) return [diagnostic.operator];
  const owners = ownersOf(diagnostic.file);
  return owners.length > 0 ? owners : all;
}
