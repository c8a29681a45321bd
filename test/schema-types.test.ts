import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/files.js';
import type { Protocol as SchemaProtocol, Severity as SchemaSeverity } from '../src/model/generated/common.js';
import type { Envelope } from '../src/model/generated/envelope.js';
import { KINDS, type Kind, PROTOCOLS, type Protocol, SEVERITIES, type Severity } from '../src/model/types.js';
import { packageRoot } from '../src/paths.js';

/** True only when A and B are the same type: a `false` here fails the type-check (npm test runs it). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

const GENERATED = join(packageRoot, 'src/model/generated');
const SCHEMAS = join(packageRoot, 'src/model/schemas');

describe('types generated from the JSON Schemas (src/model/generated)', () => {
  it('are what scripts/generate-types.mjs writes from the schemas as they are now', () => {
    const out = tempDir('ixaudit-types-');
    try {
      const run = spawnSync(process.execPath, [join(packageRoot, 'scripts/generate-types.mjs'), '--out', out], {
        encoding: 'utf8',
      });
      expect(run.status, run.stderr).toBe(0);
      const fresh = readdirSync(out).sort();
      const committed = readdirSync(GENERATED).sort();
      const stale = [
        ...fresh.filter((f) => !committed.includes(f)).map((f) => `${f} is not generated yet`),
        ...committed.filter((f) => !fresh.includes(f)).map((f) => `${f} has no schema`),
        ...fresh
          .filter((f) => committed.includes(f))
          .filter((f) => readFileSync(join(out, f), 'utf8') !== readFileSync(join(GENERATED, f), 'utf8'))
          .map((f) => `${f} is not what its schema generates`),
      ];
      expect(stale, 'src/model/generated is out of date: run npm run types:generate').toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('name the same kinds, protocols and severities as the lists the code keeps (src/model/types.ts)', () => {
    const sameTypes: [Same<Kind, Envelope['kind']>, Same<Protocol, SchemaProtocol>, Same<Severity, SchemaSeverity>] = [
      true,
      true,
      true,
    ];
    expect(sameTypes).toEqual([true, true, true]);
    const schema = (name: string) => JSON.parse(readFileSync(join(SCHEMAS, `${name}.schema.json`), 'utf8'));
    expect([...KINDS].sort()).toEqual([...schema('envelope').properties.kind.enum].sort());
    expect(PROTOCOLS).toEqual(schema('common').definitions.protocol.enum);
    expect(SEVERITIES).toEqual(schema('common').definitions.severity.enum);
  });

  it('cover every schema', () => {
    const schemas = readdirSync(SCHEMAS)
      .filter((f) => f.endsWith('.schema.json'))
      .map((f) => f.replace(/\.schema\.json$/, '.ts'))
      .sort();
    expect(readdirSync(GENERATED).sort()).toEqual(schemas);
  });
});
