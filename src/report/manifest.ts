import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { AuditResult } from '../model/report.js';
import { compareText } from '../model/order.js';
import { BUILTIN_PREFIX, packageRoot } from '../paths.js';
import { writeFileAtomic } from './write-atomic.js';

export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';

export interface FileDigest {
  file: string;
  sha256: string;
  bytes: number;
}

/** The evidence manifest: what was audited, with what, and every output's digest. */
export interface Manifest {
  manifestVersion: '1.0';
  /** SHA-256 of the canonical JSON of `run`: the same inputs, versions, profile and date give the same id. */
  reportId: string;
  run: {
    tool: { name: string; version: string };
    catalog: { version: string };
    profile: string;
    auditDate: string;
    inputs: FileDigest[];
  };
  outputs: FileDigest[];
}

export interface ManifestSignature {
  algorithm: 'Ed25519';
  /** SPKI public key (PEM) of the signer, so a verifier can see which key signed; trust comes from --key. */
  publicKey: string;
  /** Base64 Ed25519 signature over the exact bytes of manifest.json. */
  signature: string;
}

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

function manifestRun(result: AuditResult): Manifest['run'] {
  return {
    tool: result.run.tool,
    catalog: { version: result.run.catalog.version },
    profile: result.run.profile.id,
    auditDate: result.run.auditDate,
    inputs: result.run.inputs.map(({ file, sha256: digest, bytes }) => ({ file, sha256: digest, bytes })),
  };
}

/**
 * The report id every output quotes (PDF cover, running header). It is the hash of the manifest's run
 * section, which fixes everything the outputs are derived from, so it is known before they are written.
 */
export function reportId(result: AuditResult): string {
  return sha256(JSON.stringify(manifestRun(result)));
}

/** SHA-256 of a file read in 4 MiB blocks: findings.json of a million-route audit is close to a gigabyte. */
function fileDigest(path: string): { sha256: string; bytes: number } {
  const hash = createHash('sha256');
  const block = Buffer.allocUnsafe(4 << 20);
  const fd = openSync(path, 'r');
  let bytes = 0;
  try {
    for (let n = readSync(fd, block); n > 0; n = readSync(fd, block)) {
      hash.update(block.subarray(0, n));
      bytes += n;
    }
  } finally {
    closeSync(fd);
  }
  return { sha256: hash.digest('hex'), bytes };
}

function digestsUnder(dir: string, root: string = dir): FileDigest[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return digestsUnder(path, root);
      return [{ file: relative(root, path).split(sep).join('/'), ...fileDigest(path) }];
    })
    .filter((d) => d.file !== MANIFEST_FILE && d.file !== SIGNATURE_FILE)
    .sort((a, b) => compareText(a.file, b.file));
}

/** Hashes every file already written in `dir` and writes manifest.json (and manifest.sig with a key). */
export function writeManifest(result: AuditResult, dir: string, signingKey?: KeyObject): string[] {
  const manifest: Manifest = { manifestVersion: '1.0', reportId: reportId(result), run: manifestRun(result), outputs: digestsUnder(dir) };
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  writeFileAtomic(join(dir, MANIFEST_FILE), bytes);
  if (!signingKey) return [join(dir, MANIFEST_FILE)];
  const signature: ManifestSignature = {
    algorithm: 'Ed25519',
    publicKey: createPublicKey(signingKey).export({ type: 'spki', format: 'pem' }).toString(),
    signature: sign(null, bytes, signingKey).toString('base64'),
  };
  writeFileAtomic(join(dir, SIGNATURE_FILE), `${JSON.stringify(signature, null, 2)}\n`);
  return [join(dir, MANIFEST_FILE), join(dir, SIGNATURE_FILE)];
}

/** Reads an Ed25519 private key (PEM, as `ixaudit keygen` writes it). */
export function readSigningKey(path: string): KeyObject {
  const key = createPrivateKey(readFileSync(path));
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${path} is a ${key.asymmetricKeyType} key; --sign needs an Ed25519 private key (make one with ixaudit keygen)`);
  return key;
}

export function generateSigningKeys(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export interface Verification {
  ok: boolean;
  /** One line per problem, naming the file. */
  problems: string[];
  /** What was checked and found sound, or could not be checked. */
  notes: string[];
}

/**
 * Re-hashes every output (and every input still readable from the working directory), recomputes the
 * report id, and checks the signature against a trusted public key.
 */
export function verifyOutputs(outDir: string, trustedKeyPem?: string, cwd: string = process.cwd()): Verification {
  const problems: string[] = [];
  const notes: string[] = [];
  const manifestPath = join(outDir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) return { ok: false, problems: [`${MANIFEST_FILE}: missing — not an ixaudit output folder, or the manifest was removed`], notes };
  const bytes = readFileSync(manifestPath);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, problems: [`${MANIFEST_FILE}: not valid JSON`], notes };
  }

  const listed = new Set<string>();
  for (const output of manifest.outputs ?? []) {
    listed.add(output.file);
    const path = join(outDir, output.file);
    if (!existsSync(path)) problems.push(`${output.file}: missing`);
    else if (fileDigest(path).sha256 !== output.sha256) problems.push(`${output.file}: changed (SHA-256 differs from the manifest)`);
  }
  for (const actual of digestsUnder(outDir)) {
    if (!listed.has(actual.file)) notes.push(`${actual.file}: not listed in the manifest (added after the run)`);
  }
  notes.push(`${listed.size} output file(s) listed`);

  let inputsChecked = 0;
  for (const input of manifest.run?.inputs ?? []) {
    const path = input.file.startsWith(BUILTIN_PREFIX) ? join(packageRoot, input.file.slice(BUILTIN_PREFIX.length)) : join(cwd, input.file);
    if (!existsSync(path)) continue;
    inputsChecked++;
    if (fileDigest(path).sha256 !== input.sha256) problems.push(`input ${input.file}: changed since the audit (SHA-256 differs)`);
  }
  notes.push(`${inputsChecked} of ${manifest.run?.inputs?.length ?? 0} input file(s) found and re-hashed`);
  if (sha256(JSON.stringify(manifest.run)) !== manifest.reportId) problems.push(`${MANIFEST_FILE}: report id does not match its run section`);

  const signaturePath = join(outDir, SIGNATURE_FILE);
  if (existsSync(signaturePath)) {
    if (!trustedKeyPem) notes.push(`${SIGNATURE_FILE}: present but not checked — pass --key PUBLIC_KEY to verify it`);
    else {
      try {
        const signature: ManifestSignature = JSON.parse(readFileSync(signaturePath, 'utf8'));
        const trusted = createPublicKey(trustedKeyPem);
        if (!verify(null, bytes, trusted, Buffer.from(signature.signature, 'base64'))) {
          problems.push(`${SIGNATURE_FILE}: signature does not verify with the given key (manifest changed, or signed with another key)`);
        } else notes.push(`${SIGNATURE_FILE}: valid Ed25519 signature by the given key`);
      } catch (err) {
        problems.push(`${SIGNATURE_FILE}: unreadable (${(err as Error).message})`);
      }
    }
  } else if (trustedKeyPem) problems.push(`${SIGNATURE_FILE}: missing — the outputs are not signed`);

  return { ok: problems.length === 0, problems, notes };
}
