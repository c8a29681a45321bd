import { createHash } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeys, reportId, verifyOutputs } from '../src/report/manifest.js';
import { audit } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { REGULATOR, SAMPLES, run } from './support/run.js';

// The real command makes the keys and the signed outputs, and checks them once end to end; every other
// check calls verifyOutputs in this process (one spawned verify per output took the best part of a minute).

describe('the inputs of a run', () => {
  it('list a shipped profile only when the audit runs under it, itself or through extends', () => {
    const shipped = (profileId?: string) =>
      audit(['inputs/jp-sakura'], profileId ? { profileId } : {})
        .run.inputs.filter((i) => i.builtin)
        .map((i) => i.file);
    expect(shipped()).toEqual([
      'ixaudit:profiles/default.yaml',
      'ixaudit:registry/carriers.yaml',
      'ixaudit:registry/owners.yaml',
    ]);
    expect(shipped('strict')).toEqual([
      'ixaudit:profiles/default.yaml',
      'ixaudit:profiles/strict.yaml',
      'ixaudit:registry/carriers.yaml',
      'ixaudit:registry/owners.yaml',
    ]);
    const extending = tempFiles({
      'p.yaml': 'apiVersion: ixaudit/v1\nkind: AuditProfile\nmetadata: {id: mine}\nspec: {extends: strict}\n',
    });
    expect(
      audit(['inputs/jp-sakura'], { profileFiles: [join(extending, 'p.yaml')], profileId: 'mine' }).run.inputs.map(
        (i) => i.file,
      ),
    ).toContain('ixaudit:profiles/strict.yaml');
  });
});

describe('evidence manifest, signing and verification', () => {
  const keys = tempFiles({});
  const out = tempFiles({});
  const publicKey = join(keys, 'ixaudit-signing-key.pub.pem');
  const trusted = () => readFileSync(publicKey, 'utf8');

  beforeAll(async () => {
    expect((await run('keygen', '--out', keys)).code).toBe(0);
    expect((await run('audit', ...SAMPLES, '--out', out, '--sign', join(keys, 'ixaudit-signing-key.pem'))).code).toBe(
      1,
    );
  });

  it('lists every input and output with SHA-256, the versions, the profile and the audit date', () => {
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.run).toMatchObject({
      tool: { name: 'ixaudit' },
      profile: 'sample-2026h1',
      auditDate: '2026-07-01',
    });
    expect(manifest.run.inputs.map((i: { file: string }) => i.file)).toContain('inputs/jp-sakura/routing-ss7.yaml');
    // Of the shipped profiles, only those the audit ran under (its chain: sample-2026h1, then default).
    // It listed ixaudit:profiles/strict.yaml too, which said the strict profile applied.
    const shipped = manifest.run.inputs.map((i: { file: string }) => i.file).filter((f: string) => /^ixaudit:/.test(f));
    expect(shipped).toEqual([
      'ixaudit:profiles/default.yaml',
      'ixaudit:registry/carriers.yaml',
      'ixaudit:registry/owners.yaml',
    ]);
    // And where each was read, so verify finds it from any folder.
    expect(manifest.run.inputs.find((i: { file: string }) => i.file === 'inputs/jp-sakura/routing-ss7.yaml').path).toBe(
      resolve('inputs/jp-sakura/routing-ss7.yaml'),
    );
    const findings = manifest.outputs.find((o: { file: string }) => o.file === 'findings.json');
    expect(findings.sha256).toBe(
      createHash('sha256')
        .update(readFileSync(join(out, 'findings.json')))
        .digest('hex'),
    );
    // The report id is the hash of the manifest's run section, the same for every re-run of the same inputs.
    expect(manifest.reportId).toBe(reportId(audit(['inputs'], REGULATOR)));
  });

  it('verifies an untouched output folder with the public key', async () => {
    const { code, stdout } = await run('verify', out, '--key', publicKey);
    expect(stdout).toContain('valid Ed25519 signature by the given key');
    expect(stdout).toContain(`${out}: verified`);
    expect(code).toBe(0);
  });

  it('fails on a signature present but not checked, unless told to skip it', () => {
    const unchecked = verifyOutputs(out, undefined, { outputsOnly: true });
    expect(unchecked.ok).toBe(false);
    expect(unchecked.problems).toEqual([expect.stringMatching(/^manifest\.sig: present but not checked/)]);
    expect(verifyOutputs(out, undefined, { outputsOnly: true, noSignature: true }).ok).toBe(true);
  });

  it('detects a changed byte in any output, naming the file', () => {
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.outputs.length).toBeGreaterThan(0);
    for (const { file } of manifest.outputs as Array<{ file: string }>) {
      const path = join(out, file);
      const original = readFileSync(path);
      const tampered = Buffer.from(original);
      tampered[Math.floor(tampered.length / 2)] ^= 0x01;
      writeFileSync(path, tampered);
      const { ok, problems } = verifyOutputs(out, trusted(), { outputsOnly: true });
      writeFileSync(path, original);
      expect(ok, file).toBe(false);
      expect(problems, file).toEqual([`${file}: changed (SHA-256 differs from the manifest)`]);
    }
    expect(verifyOutputs(out, trusted()).ok).toBe(true);
  });

  it('detects an edited manifest through the signature, and a wrong key', () => {
    const path = join(out, 'manifest.json');
    const original = readFileSync(path, 'utf8');
    const tampered = original.replace(/"auditDate": "[^"]*"/, '"auditDate": "1999-01-01"');
    expect(tampered).not.toBe(original);
    writeFileSync(path, tampered);
    const edited = verifyOutputs(out, trusted(), { outputsOnly: true });
    writeFileSync(path, original);
    expect(edited.ok).toBe(false);
    expect(edited.problems).toContain(
      'manifest.sig: signature does not verify with the given key (manifest changed, or signed with another key)',
    );
    const other = verifyOutputs(out, generateSigningKeys().publicPem, { outputsOnly: true });
    expect(other.ok).toBe(false);
    expect(other.problems).toEqual([
      'manifest.sig: signature does not verify with the given key (manifest changed, or signed with another key)',
    ]);
  });

  it('keygen never overwrites a key', async () => {
    const { code, stderr } = await run('keygen', '--out', keys);
    expect(code).toBe(2);
    expect(stderr).toContain('exists; keygen never overwrites a key');
  });

  it('an unsigned run verifies by hashes, and says the signature is missing when a key is expected', () => {
    // An unsigned run writes the same manifest.json, only no manifest.sig beside it.
    const plain = tempFiles({});
    cpSync(out, plain, { recursive: true });
    rmSync(join(plain, 'manifest.sig'));
    expect(verifyOutputs(plain).ok).toBe(true);
    const withKey = verifyOutputs(plain, trusted());
    expect(withKey.ok).toBe(false);
    expect(withKey.problems).toEqual(['manifest.sig: missing — the outputs are not signed']);
  });
});
