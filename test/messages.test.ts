import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, tempFiles } from './support/files.js';
import { REGULATOR_OPTIONS, run } from './support/run.js';

// Issue 14, items 9 and 17: what is left of "earlier reports read back as inputs", and messages that
// leaked library internals (OpenSSL, Handlebars) instead of saying what is wrong and where.

const NORDLYS = ['inputs/no-nordlys', ...REGULATOR_OPTIONS];

describe('messages a user can act on', () => {
  it('a --sign file that is not a PEM private key says so, not "error:1E08010C:DECODER routines::unsupported"', async () => {
    const bad = join(tempFiles({ 'key.pem': 'not a key\n' }), 'key.pem');
    const { code, stderr } = await run('audit', ...NORDLYS, '--out', tempFiles({}), '--format', 'json', '--sign', bad);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `--sign ${bad}: not a PEM private key: --sign needs the Ed25519 private key ixaudit keygen wrote`,
    );
    expect(stderr).not.toContain('DECODER');
  });

  it('an HTML template naming what the model lacks is a located usage error (exit 2), not "not defined in [object Object]"', async () => {
    const templates = tempFiles({ 'index.html.hbs': '<html>{{json report}}</html>\n' });
    const { code, stderr } = await run(
      'audit',
      ...NORDLYS,
      '--out',
      tempFiles({}),
      '--format',
      'html',
      '--template-dir',
      templates,
    );
    expect(code).toBe(2);
    expect(stderr).toContain(
      `${join(templates, 'index.html.hbs')}:1:9: "json" is neither a value of the report model nor a helper`,
    );
    expect(stderr).not.toContain('[object Object]');
  });

  it('{{lookup this "constructor"}} is an error, never blank text', async () => {
    const templates = tempFiles({ 'index.html.hbs': '<html>{{lookup this "constructor"}}</html>\n' });
    const out = tempFiles({});
    const { code, stderr } = await run(
      'audit',
      ...NORDLYS,
      '--out',
      out,
      '--format',
      'html',
      '--template-dir',
      templates,
    );
    expect(code).toBe(2);
    expect(stderr).toContain('lookup: "constructor" is not a value of the report model');
  });

  it("an earlier run's reports inside an input folder are never read back as inputs", async () => {
    const dir = tempDir('ixaudit-msg-');
    cpSync('inputs/no-nordlys', join(dir, 'no-nordlys'), { recursive: true });
    // The first run writes its reports under the input tree (allowed: below, not equal to, the input).
    const first = await run(
      'audit',
      dir,
      ...REGULATOR_OPTIONS,
      '--out',
      join(dir, 'reports'),
      '--format',
      'json,csv',
      '-q',
    );
    expect(first.code).toBe(0);
    const second = await run('audit', dir, ...REGULATOR_OPTIONS, '--out', tempFiles({}), '--format', 'json', '--json');
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ result: 'PASS', errors: 0 });
    // The reports are still there, and were simply not read: findings.csv would fail as a routing table.
    expect(readFileSync(join(dir, 'reports', 'findings.csv'), 'utf8')).toContain('ICX-');
  });
});
