import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { reportId } from '../src/report/manifest.js';
import { audit } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { ixaudit } from './support/cli.js';


describe('evidence manifest, signing and verification', () => {
  const keys = tempFiles({});
  const out = tempFiles({});
  const publicKey = join(keys, 'ixaudit-signing-key.pub.pem');

  beforeAll(() => {
    expect(ixaudit('keygen', '--out', keys).code).toBe(0);
    expect(ixaudit('audit', 'inputs', '--out', out, '--sign', join(keys, 'ixaudit-signing-key.pem')).code).toBe(1);
  });

  it('lists every input and output with SHA-256, the versions, the profile and the audit date', () => {
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.run).toMatchObject({ tool: { name: 'ixaudit' }, profile: 'sample-2026h1', auditDate: '2026-07-01' });
    expect(manifest.run.inputs.map((i: { file: string }) => i.file)).toContain('inputs/jp-sakura/routing-ss7.yaml');
    const findings = manifest.outputs.find((o: { file: string }) => o.file === 'findings.json');
    expect(findings.sha256).toBe(createHash('sha256').update(readFileSync(join(out, 'findings.json'))).digest('hex'));
    // The report id is the hash of the manifest's run section, the same for every re-run of the same inputs.
    expect(manifest.reportId).toBe(reportId(audit(['inputs'])));
  });

  it('verifies an untouched output folder with the public key', () => {
    const { code, stdout } = ixaudit('verify', out, '--key', publicKey);
    expect(stdout).toContain('valid Ed25519 signature by the given key');
    expect(stdout).toContain(`${out}: verified`);
    expect(code).toBe(0);
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
      const { code, stderr } = ixaudit('verify', out, '--key', publicKey);
      writeFileSync(path, original);
      expect(code, file).toBe(1);
      expect(stderr).toContain(`${file}: changed (SHA-256 differs from the manifest)`);
    }
  });

  it('detects an edited manifest through the signature, and a wrong key', () => {
    const path = join(out, 'manifest.json');
    const original = readFileSync(path, 'utf8');
    writeFileSync(path, original.replace('"auditDate": "2026-07-01"', '"auditDate": "2026-07-02"'));
    const edited = ixaudit('verify', out, '--key', publicKey);
    writeFileSync(path, original);
    expect(edited.code).toBe(1);
    expect(edited.stderr).toContain('manifest.sig: signature does not verify with the given key');
    const otherKeys = tempFiles({});
    ixaudit('keygen', '--out', otherKeys);
    expect(ixaudit('verify', out, '--key', join(otherKeys, 'ixaudit-signing-key.pub.pem')).code).toBe(1);
  });

  it('keygen never overwrites a key', () => {
    const { code, stderr } = ixaudit('keygen', '--out', keys);
    expect(code).toBe(2);
    expect(stderr).toContain('exists; keygen never overwrites a key');
  });

  it('an unsigned run verifies by hashes, and says the signature is missing when a key is expected', () => {
    const plain = tempFiles({});
    ixaudit('audit', 'inputs', '--out', plain, '--format', 'json');
    expect(ixaudit('verify', plain).code).toBe(0);
    const withKey = ixaudit('verify', plain, '--key', publicKey);
    expect(withKey.code).toBe(1);
    expect(withKey.stderr).toContain('manifest.sig: missing');
  });
});
