import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCatalog, contentCache, loadBuiltins } from '../src/audit/run-audit.js';
import { audit } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { REGULATOR } from './support/run.js';

// A process that audits many times keeps the compiled catalog and the shipped registry and profiles
// while their files are unchanged (contentCache in src/audit/run-audit.ts).

describe('the content cache', () => {
  it('compiles a catalog once while its files are unchanged, and again when one changes', () => {
    const dir = join(tempFiles({}), 'controls');
    cpSync('controls', dir, { recursive: true });
    const first = compileCatalog(dir);
    expect(compileCatalog(dir)).toBe(first);
    const file = join(dir, 'ENC', 'ICX-ENC-01.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^title: .*$/m, 'title: Edited after the first audit'));
    const edited = compileCatalog(dir);
    expect(edited).not.toBe(first);
    expect(edited.controls.find((c) => c.definition.id === 'ICX-ENC-01')!.definition.title).toBe(
      'Edited after the first audit',
    );
  });

  it('keeps the shipped registry and profiles frozen: no audit can change the facts the next one reads', () => {
    const builtins = loadBuiltins();
    expect(loadBuiltins()).toBe(builtins);
    const carrier = builtins.documents.find((d) => d.kind === 'Carrier')!;
    expect(() => {
      (carrier.value as { metadata: { name: string } }).metadata.name = 'renamed by an audit';
    }).toThrow(/read only property 'name'/);
    const profile = builtins.documents.find((d) => d.kind === 'AuditProfile')!;
    expect(Object.isFrozen(profile.value)).toBe(true);
  });

  it('gives the findings of loading and compiling afresh', () => {
    const kept = audit(['inputs/no-nordlys'], REGULATOR);
    contentCache.enabled = false;
    try {
      expect(audit(['inputs/no-nordlys'], REGULATOR)).toEqual(kept);
    } finally {
      contentCache.enabled = true;
    }
  });
});
