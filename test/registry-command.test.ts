import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './support/files.js';
import { REGISTRY_HELP, registryCommand } from '../src/cli/registry-command.js';
import { prepareAudit } from '../src/audit/run-audit.js';
import { run } from './support/run.js';

/** Runs `ixaudit registry ...` in this process, capturing what it prints. */
async function registry(
  args: string[],
  options: { registry?: string[]; json?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...parts: unknown[]) => void out.push(parts.join(' '));
  console.error = (...parts: unknown[]) => void err.push(parts.join(' '));
  try {
    const code = await registryCommand(args, { registry: options.registry ?? [], json: options.json ?? false });
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

/** Every object's keys in sorted order, at every depth. */
function keysSorted(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keysSorted(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  const keys = Object.keys(value);
  const own = keys.join() === [...keys].sort().join() ? [] : [path];
  return [...own, ...keys.flatMap((k) => keysSorted((value as Record<string, unknown>)[k], `${path}.${k}`))];
}

const dir = tempDir('ixaudit-registry-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An auditor's registry file: one stake changed (Proximus in Proximus Global, 91.3 → 90), one carrier added. */
const AUDITOR = join(dir, 'auditor.yaml');
writeFileSync(
  AUDITOR,
  `# one stake changed, one carrier added
apiVersion: ixaudit/v1
kind: Owner
metadata:
  id: proximus-global
  name: Proximus Global
  annotations:
    source: "Light Reading: Proximus rebrands global arm; Proximus annual report"
    url: "https://www.proximus.com"
    checked: "2026-12-01"
    note: "Holds 100 % of BICS (and Telesign). Shares approx.: Proximus about 91.3 %, Clear Bridge Ventures about 8.7 % (not modelled)."
spec:
  type: company
  country: BE
  ownership:
    - {owner: proximus, share: 90}
---
apiVersion: ixaudit/v1
kind: Carrier
metadata:
  id: nordic-ipx
  name: Nordic IPX AB
  annotations: {source: "Interconnect agreement ag-2027-01, party clause", checked: "2027-01-15"}
spec:
  roles: [ipx]
  incorporatedIn: SE
  ownership: [{owner: polhem-infra, share: 100}]
`,
);

describe('ixaudit registry list', () => {
  it('lists every bundled entity, one line each, sorted by id, then the registry as-of date', async () => {
    const { code, stdout, stderr } = await registry(['list']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^ID +KIND +COUNTRY +LISTINGS +CHECKED +NAME$/);
    expect(stdout).toMatch(
      /^cmi +Carrier +HK +0 +2026-12-01 +China Mobile International Limited \(中国移动国际有限公司\)$/m,
    );
    expect(stdout).toMatch(/^cmi-usa +Carrier +US +2 +2026-12-01 +China Mobile International \(USA\) Inc\.$/m);
    expect(stdout).toMatch(/^sasac +Owner +CN +0 +2026-12-01 +State-owned Assets/m);
    // An unconfirmed jurisdiction reads as such, never as a country code.
    expect(stdout).toMatch(/^telstra-intl +Carrier +unconfirmed +0 +2026-12-01 /m);
    expect(stdout).toMatch(/^hkt-intl +Owner +unconfirmed +1 +2026-12-01 /m);
    expect(stdout).not.toMatch(/\bZZ\b/);
    const ids = lines.slice(1, lines.indexOf('')).map((l) => l.split(/ +/)[0]);
    expect(ids.length).toBeGreaterThan(60);
    expect(ids).toEqual([...ids].sort());
    expect(lines[lines.length - 1]).toMatch(
      /^registry as of 2026-12-01: the oldest checked date of the \d+ bundled entries and their listings$/,
    );
  });

  it('--json: the same entries, sorted by id, every key sorted, the same bytes every time', async () => {
    const first = await registry(['list'], { json: true });
    const second = await registry(['list'], { json: true });
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(second.stdout);
    const json = JSON.parse(first.stdout);
    expect(keysSorted(json)).toEqual([]);
    expect(json.asOf).toBe('2026-12-01');
    const ids = json.entries.map((e: { id: string }) => e.id);
    expect(ids).toEqual([...ids].sort());
    expect(json.entries.find((e: { id: string }) => e.id === 'cmi')).toEqual({
      at: expect.stringMatching(/^ixaudit:registry\/carriers\.yaml:\d+:\d+$/),
      checked: '2026-12-01',
      country: 'HK',
      id: 'cmi',
      kind: 'Carrier',
      listings: 0,
      name: 'China Mobile International Limited (中国移动国际有限公司)',
      origin: 'bundled',
    });
    expect(json.entries.find((e: { id: string }) => e.id === 'telstra-intl').country).toBe('');
  });

  it('with --registry, includes the auditor entries and marks them', async () => {
    const { code, stdout } = await registry(['list'], { registry: [AUDITOR] });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^nordic-ipx \* +Carrier +SE +0 +2027-01-15 +Nordic IPX AB$/m);
    expect(stdout).toMatch(/^proximus-global \* +Owner +BE /m);
    expect(stdout).toContain('* 2 entries from --registry');
  });
});

describe('ixaudit registry show', () => {
  it('shows PCCW Global in full: ownership, controller, and the order to show cause naming HKT (DA 25-928, 2025-10-15) that reaches it', async () => {
    const { code, stdout, stderr } = await registry(['show', 'pccw-global']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Carrier pccw-global: PCCW Global$/m);
    expect(stdout).toMatch(/^ {2}ownership +hkt-intl \(HKT \(International\) Limited\) 100 % \[controlling\]$/m);
    expect(stdout).toMatch(/^ {2}controller +pccw-ltd \(PCCW Limited \(電訊盈科有限公司\)\), company, HK$/m);
    expect(stdout).toMatch(/^ {2}operating group +pccw-ltd /m);
    expect(stdout).toContain('→ HKT (International) Limited (unconfirmed, company, 100 %)');
    expect(stdout).toContain(
      'us-fcc-order-to-show-cause since 2025-10-15: subsidiary of HKT (International) Limited (hkt-intl, scope subsidiaries)',
    );
    expect(stdout).toMatch(/names +HKT \(International\) Limited and its subsidiaries, including PCCW Global, Inc\./);
    expect(stdout).toMatch(/source +FCC Order to Show Cause DA 25-928 \(2025-10-15\)/);
    expect(stdout).toContain('https://docs.fcc.gov/public/attachments/DA-25-928A1.pdf');
    expect(stdout).toMatch(/^ {4}checked +2026-12-01$/m);
    expect(stdout).not.toMatch(/\bZZ\b|undefined/);

    const json = JSON.parse((await registry(['show', 'pccw-global'], { json: true })).stdout);
    expect(keysSorted(json)).toEqual([]);
    expect(json.reachedBy).toEqual([
      expect.objectContaining({
        list: 'us-fcc-order-to-show-cause',
        since: '2025-10-15',
        scope: 'subsidiaries',
        listedEntity: 'hkt-intl',
        listedEntityKind: 'Owner',
        reach: 'subsidiary',
        names: expect.stringContaining('HKT (International) Limited'),
        source: expect.stringContaining('DA 25-928'),
        url: 'https://docs.fcc.gov/public/attachments/DA-25-928A1.pdf',
        checked: '2026-12-01',
      }),
    ]);
    expect(json).toMatchObject({
      kind: 'Carrier',
      ownershipResolved: true,
      controller: { id: 'pccw-ltd', country: 'HK' },
      group: { id: 'pccw-ltd' },
      stateControlled: false,
      evidence: { url: 'https://docs.fcc.gov/public/attachments/DA-25-928A1.pdf', checked: '2026-12-01' },
    });
    expect(json.chain.map((s: { id: string }) => s.id)).toEqual(['pccw-global', 'hkt-intl', 'hkt', 'pccw-ltd']);
  });

  it('shows an Owner with its own listing, whom it reaches, and its unconfirmed jurisdiction with the reason', async () => {
    const { code, stdout } = await registry(['show', 'hkt-intl']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Owner hkt-intl: HKT \(International\) Limited$/m);
    expect(stdout).toMatch(/^ {2}country +unconfirmed$/m);
    expect(stdout).toMatch(/^ {4}jurisdiction +unconfirmed: FCC DA 25-928/m);
    expect(stdout).toMatch(
      /^ {2}listings +us-fcc-order-to-show-cause since 2025-10-15, scope subsidiaries {2}ixaudit:registry\/owners\.yaml:\d+:\d+$/m,
    );
    expect(stdout).toMatch(/reaches +pccw-global \(subsidiary\)$/m);
    const json = JSON.parse((await registry(['show', 'hkt-intl'], { json: true })).stdout);
    expect(json).toMatchObject({ kind: 'Owner', country: '', jurisdictionUnconfirmed: true });
    expect(json.listings[0].reaches).toEqual([
      { ambiguous: false, carrier: 'pccw-global', name: 'PCCW Global', reach: 'subsidiary' },
    ]);
  });

  it('Telstra International: jurisdiction unconfirmed (no country), controlled by Telstra Group (AU)', async () => {
    const { stdout } = await registry(['show', 'telstra-intl']);
    expect(stdout).toMatch(/^ {2}incorporated in +unconfirmed$/m);
    expect(stdout).toMatch(/^ {2}headquarters +unconfirmed$/m);
    expect(stdout).toMatch(/^ {2}controller +telstra-group \(Telstra Group Limited\), company, AU$/m);
    const json = JSON.parse((await registry(['show', 'telstra-intl'], { json: true })).stdout);
    expect(json).toMatchObject({ incorporatedIn: '', headquarters: '', jurisdictionUnconfirmed: true, reachedBy: [] });
  });

  it('a group listing on a US affiliate reaches CMI: shown on both ends', async () => {
    const cmi = await registry(['show', 'cmi']);
    expect(cmi.stdout).toContain(
      'us-fcc-covered-list since 2022-03-25: affiliate of China Mobile International (USA) Inc. (cmi-usa, scope group)',
    );
    const usa = await registry(['show', 'cmi-usa']);
    expect(usa.stdout).toMatch(/reaches +cmi \(affiliate\), cmi-usa \(listed\)$/m);
    expect(usa.stdout).toContain('us-fcc-214-denial since 2019-05-09, scope entity');
  });

  it('an unknown id is an error with the nearest id, exit 2', async () => {
    const { code, stdout, stderr } = await registry(['show', 'pccw-globl']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('unknown registry entry "pccw-globl" (did you mean "pccw-global"?)');
    const far = await registry(['show', 'no-such-carrier-at-all']);
    expect(far.code).toBe(2);
    expect(far.stderr).toContain('unknown registry entry "no-such-carrier-at-all": no Carrier or Owner has this id');
  });
});

describe('ixaudit registry diff', () => {
  it('names the added carrier and the changed stake, before → after, at its file:line', async () => {
    const { code, stdout, stderr } = await registry(['diff'], { registry: [AUDITOR] });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines).toContain(`+ Carrier nordic-ipx: Nordic IPX AB  added at ${AUDITOR}:21:7`);
    expect(lines).toContain('    country SE; owners polhem-infra 100 %');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(
            `^~ Owner proximus-global: Proximus Global {2}replaced at ${AUDITOR.replace(/[.\\]/g, '\\$&')}:5:7 \\(bundled ixaudit:registry/owners\\.yaml:\\d+:7\\)$`,
          ),
        ),
      ]),
    );
    // The only field that differs: the stake, located on the auditor's line.
    expect(lines).toContain(`    spec.ownership[proximus].share: 91.3 → 90  ${AUDITOR}:16:32`);
    expect(lines.filter((l) => l.startsWith('    spec.') || l.startsWith('    metadata.'))).toHaveLength(1);
    expect(lines[lines.length - 1]).toBe(
      '2 entries changed against the bundled registry (as of 2026-12-01): 1 added, 1 replaced (1 field changed)',
    );
  });

  it('--json: the entries findings.json reports as run.registryChanges, each replaced one field by field, sorted', async () => {
    const { code, stdout } = await registry(['diff'], { registry: [AUDITOR], json: true });
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(keysSorted(json)).toEqual([]);
    expect(json).toMatchObject({ asOf: '2026-12-01', added: 1, replaced: 1 });
    expect(json.changes.map((c: { id: string }) => c.id)).toEqual(['nordic-ipx', 'proximus-global']);
    // The same changes the audit records (one implementation: buildWorld's registryChanges).
    const { world } = prepareAudit({ paths: [], registryPaths: [AUDITOR], today: '' });
    expect(
      json.changes.map((c: Record<string, string>) => ({
        kind: c.kind,
        id: c.id,
        change: c.change,
        at: c.at,
        replaces: c.replaces,
      })),
    ).toEqual([...world.registryChanges].sort((a, b) => (a.id < b.id ? -1 : 1)));
    expect(json.changes[1].fields).toEqual([
      {
        after: 90,
        at: `${AUDITOR}:16:32`,
        before: 91.3,
        bundledAt: expect.stringMatching(/^ixaudit:registry\/owners\.yaml:\d+:32$/),
        path: 'spec.ownership[proximus].share',
      },
    ]);
    expect(json.changes[0]).toMatchObject({
      change: 'added',
      kind: 'Carrier',
      fields: [],
      summary: { country: 'SE', ownership: ['polhem-infra 100 %'], ownershipDeclared: true, listings: [] },
    });
    expect((await registry(['diff'], { registry: [AUDITOR], json: true })).stdout).toBe(stdout);
  });

  it('field changes of every kind: added, removed and changed fields, list items by their key', async () => {
    const file = join(dir, 'telxius.yaml');
    writeFileSync(
      file,
      `apiVersion: ixaudit/v1
kind: Carrier
metadata:
  id: telxius
  name: Telxius Telecom, S.A.
  annotations: {source: "Telxius annual report 2026", url: "https://www.telxius.com/annual-report-2026.pdf", checked: "2027-02-01"}
spec:
  roles: [ipx]
  incorporatedIn: ES
  ownership:
    - {owner: pontegadea, share: 30}
    - {owner: telefonica-sa, share: 70}
---
apiVersion: ixaudit/v1
kind: Owner
metadata: {id: pontegadea, name: Pontegadea Inversiones, annotations: {source: "x", url: "https://example.org/x", checked: "2027-02-01"}}
spec: {type: company, country: ES, ownership: []}
`,
    );
    const json = JSON.parse((await registry(['diff'], { registry: [file], json: true })).stdout);
    const telxius = json.changes.find((c: { id: string }) => c.id === 'telxius');
    const byPath = Object.fromEntries(telxius.fields.map((f: { path: string }) => [f.path, f]));
    // The Telefónica edge moved to the second place: matched by owner, unchanged, so not reported.
    expect(Object.keys(byPath)).not.toContain('spec.ownership[telefonica-sa].share');
    expect(byPath['spec.ownership[pontegadea]']).toMatchObject({
      before: null,
      after: { owner: 'pontegadea', share: 30 },
    });
    expect(byPath['spec.roles']).toMatchObject({ before: null, after: ['ipx'], at: `${file}:8:10` });
    expect(byPath['spec.headquarters']).toMatchObject({ before: 'ES', after: null });
    expect(byPath['spec.identifiers']).toMatchObject({ before: { asns: [12956] }, after: null });
    expect(byPath['metadata.annotations.checked']).toMatchObject({ before: '2026-12-01', after: '2027-02-01' });
    const paths = telxius.fields.map((f: { path: string }) => f.path);
    expect(paths).toEqual([...paths].sort());
  });

  it('an error in a --registry file is printed at its line, and the exit code is 2', async () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(
      file,
      `apiVersion: ixaudit/v1
kind: Carrier
metadata: {id: no-country}
spec: {roles: [ipx]}
---
apiVersion: ixaudit/v1
kind: Carrier
metadata: {id: orphan}
spec: {incorporatedIn: SE, ownership: [{owner: nobody-here, share: 100}]}
`,
    );
    const { code, stderr, stdout } = await registry(['diff'], { registry: [file] });
    expect(code).toBe(2);
    expect(stderr).toContain(`error ${file}:4:7: spec.incorporatedIn: required field is missing`);
    expect(stderr).toContain(`error ${file}:9:48: unknown owner (no Owner or Carrier has this id) "nobody-here"`);
    expect(stdout).toContain('+ Carrier orphan: orphan');
  });

  it('needs --registry, an existing one, and no arguments', async () => {
    expect((await registry(['diff'])).code).toBe(2);
    expect((await registry(['diff'])).stderr).toContain('registry diff needs --registry FILE|DIR');
    const missing = await registry(['diff'], { registry: [join(dir, 'nope.yaml')] });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.yaml: no such file or folder');
    expect((await registry(['diff', 'extra'], { registry: [AUDITOR] })).code).toBe(2);
  });
});

describe('usage and help', () => {
  it('an unknown or missing subcommand is a usage error, exit 2', async () => {
    const unknown = await registry(['lst']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown registry command "lst" (did you mean "list"?)');
    expect((await registry([])).code).toBe(2);
    expect((await registry(['show'])).stderr).toContain('registry show needs exactly one entry id');
    expect((await registry(['list', 'x'])).code).toBe(2);
  });

  it('REGISTRY_HELP has the layout of every command help', () => {
    expect(REGISTRY_HELP).toMatch(/^Usage:\n {2}ixaudit registry list /);
    expect(REGISTRY_HELP).toContain('  ixaudit registry show <ID>');
    expect(REGISTRY_HELP).toContain('  ixaudit registry diff --registry FILE|DIR');
    for (const section of ['\n\nOptions:\n', '\n\nExamples:\n', '\n\nExit codes:\n'])
      expect(REGISTRY_HELP).toContain(section);
    expect(REGISTRY_HELP.endsWith('\n')).toBe(true);
    for (const line of REGISTRY_HELP.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
  });

  it('the command line runs it: ixaudit registry show, --help, help registry, and the overview names it', async () => {
    const show = await run('registry', 'show', 'pccw-global', '--registry', 'regulator/registry');
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('us-fcc-order-to-show-cause since 2025-10-15');
    expect((await run('registry', '--help')).stdout).toBe(REGISTRY_HELP);
    expect((await run('help', 'registry')).stdout).toBe(REGISTRY_HELP);
    expect((await run('--help')).stdout).toContain('ixaudit registry list | show <ID> | diff --registry F');
    const typo = await run('registry', 'show', 'pccw-globl');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('(did you mean "pccw-global"?)');
  });
});

describe('docs/registry.md examples are the real output', () => {
  const doc = readFileSync('docs/registry.md', 'utf8');
  /** The text of the ```text block that starts with `$ <command>`, without that line. */
  const block = (command: string): string => {
    const start = doc.indexOf(`\`\`\`text\n$ ${command}\n`);
    expect(start, command).toBeGreaterThanOrEqual(0);
    const body = doc.slice(start + `\`\`\`text\n$ ${command}\n`.length);
    return body.slice(0, body.indexOf('\n```'));
  };

  it('registry list (an excerpt: every line shown is a line of the output, in order)', async () => {
    const actual = (await registry(['list'])).stdout.split('\n');
    const shown = block('ixaudit registry list')
      .split('\n')
      .filter((l) => l !== '...');
    let from = 0;
    for (const line of shown) {
      const at = actual.indexOf(line, from);
      expect(at, `docs line not in the output (or out of order): ${line}`).toBeGreaterThanOrEqual(from);
      from = at + 1;
    }
    expect(shown[shown.length - 1]).toBe(actual[actual.length - 1]);
  });

  it('registry show pccw-global', async () => {
    expect(block('ixaudit registry show pccw-global')).toBe((await registry(['show', 'pccw-global'])).stdout);
  });

  it('registry diff --registry telstra.yaml (the example file of "How to correct a fact")', async () => {
    const yaml = /Example \(`telstra\.yaml`\)[^\n]*\n[^\n]*\n\n {2}```yaml\n([\s\S]*?) {2}```/.exec(doc)?.[1];
    expect(yaml).toBeDefined();
    const file = join(dir, 'telstra.yaml');
    writeFileSync(file, yaml!.replace(/^ {2}/gm, ''));
    const actual = (await registry(['diff'], { registry: [file] })).stdout.split(file).join('telstra.yaml');
    expect(block('ixaudit registry diff --registry telstra.yaml')).toBe(actual);
  });
});
