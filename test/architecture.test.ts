import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// The house rules of docs/architecture.md, checked on the import statements of src/: data flows one
// way (model ← load ← enrich ← engine ← audit ← report ← cli), shared types live in src/model, and no
// file imports itself through others. Issue 13: "load/yaml.ts and load/large.ts import each other;
// model/report.ts and load/baseline.ts import upward".

/** Each stage may import only stages of a lower rank (and itself). */
const RANK: Record<string, number> = { model: 0, paths: 0, load: 1, enrich: 2, engine: 3, audit: 4, report: 5, cli: 6 };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) =>
    posix.normalize(posix.join(posix.dirname(file), m[1]!.replace(/\.js$/, '.ts'))),
  );
}

const stageOf = (file: string) => {
  const [first] = relative('src', file).split('/');
  return first!.replace(/\.ts$/, '');
};

const graph = new Map(sourceFiles('src').map((f) => [f.split('\\').join('/'), importsOf(f.split('\\').join('/'))]));

describe('architecture', () => {
  it('every stage folder has a rank, so a new folder must be placed in the order', () => {
    expect([...new Set([...graph.keys()].map(stageOf))].filter((s) => RANK[s] === undefined)).toEqual([]);
  });

  it('no stage imports a later one (reporters do not reach into the audit core, the model imports no stage)', () => {
    const upward = [...graph].flatMap(([file, deps]) =>
      deps.filter((d) => RANK[stageOf(d)]! > RANK[stageOf(file)]!).map((d) => `${file} -> ${d}`),
    );
    expect(upward).toEqual([]);
  });

  it('no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const dep of graph.get(file) ?? []) visit(dep, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('the checks see real imports (a rule that reads nothing cannot fail)', () => {
    expect(graph.get('src/cli/main.ts')).toContain('src/audit/run-audit.ts');
    expect(graph.get('src/load/yaml.ts')).toContain('src/load/large.ts');
    expect(dirname('src/load/yaml.ts')).toBe('src/load');
  });
});
