// Deterministic synthetic submissions for `npm run bench` (issues 7 and 15): realistic shapes, fictional data.
// Usage: node bench/generate.mjs OUT_DIR [SCENARIO...]   (the names of SCENARIOS below)
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** mulberry32: a tiny seeded PRNG, so every run generates the same bytes. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const IPX = ['bx-ipx-a', 'bx-ipx-b', 'bx-ipx-c', 'bx-ipx-d', 'bx-ipx-e'];
const HUBS = ['bx-hub-f', 'bx-hub-g', 'bx-hub-h'];
const RISKY = ['cmi', 'ctg', 'cug']; // from the shipped registry
// Failure-heavy tables (issue 15) name their carriers shorter (as an STP export does: 266 bytes a route).
// Each IPX has a sister brand of its own group that the operator holds no agreement with (a backup through
// it is neither contracted nor diverse), and a few transit carriers are neither contracted nor approved
// subcontractors of any IPX.
const HEAVY = {
  IPX: ['ipx-a', 'ipx-b', 'ipx-c', 'ipx-d', 'ipx-e'],
  HUBS: ['hub-f', 'hub-g', 'hub-h'],
  SISTERS: ['ipx-a2', 'ipx-b2', 'ipx-c2', 'ipx-d2', 'ipx-e2'],
  UNLISTED: ['tr-p', 'tr-q', 'tr-r', 'tr-s'],
};
const DESTINATIONS = [
  ['DE', '262-01', '49'],
  ['FR', '208-01', '33'],
  ['US', '310-410', '1'],
  ['GB', '234-15', '44'],
  ['CN', '460-00', '86'],
  ['HK', '454-12', '852'],
  ['KR', '450-05', '82'],
  ['AU', '505-01', '61'],
  ['SG', '525-01', '65'],
  ['BR', '724-05', '55'],
];

function carrierDoc(id, roles, country, owner) {
  return `apiVersion: ixaudit/v1\nkind: Carrier\nmetadata: {id: ${id}, name: Bench carrier ${id}}\nspec:\n  roles: [${roles.join(', ')}]\n  incorporatedIn: ${country}\n  ownership: [{owner: ${owner}, share: 100}]\n  certifications: [{scheme: iso-27001, expires: 2027-12-31}]\n`;
}

/** Carriers with deep ownership chains (five holding companies up to a fund), most traffic via a few IPX. */
export function parties(heavy = false) {
  const docs = [];
  const countries = ['DE', 'FR', 'NL', 'SE', 'CH', 'GB', 'US', 'JP'];
  for (const [i, id] of (heavy ? [...HEAVY.IPX, ...HEAVY.HUBS] : [...IPX, ...HUBS]).entries()) {
    const chain = Array.from({ length: 5 }, (_, k) => `bx-hold-${i}-${k}`);
    docs.push(carrierDoc(id, ['ipx', 'ss7-transit', 'diameter-transit'], countries[i], chain[0]));
    // A sister brand: owned by the same holding, so of the same operating group.
    if (heavy && i < HEAVY.IPX.length)
      docs.push(carrierDoc(HEAVY.SISTERS[i], ['ipx', 'ss7-transit'], countries[i], chain[0]));
    chain.forEach((owner, k) => {
      const next = k + 1 < chain.length ? `[{owner: ${chain[k + 1]}, share: ${60 + k}}]` : '[]';
      docs.push(
        `apiVersion: ixaudit/v1\nkind: Owner\nmetadata: {id: ${owner}, name: Holding ${owner}}\nspec: {type: ${k + 1 < chain.length ? 'company' : 'fund'}, country: ${['LU', 'NL', 'IE', 'US', 'GB'][k]}, ownership: ${next}}\n`,
      );
    });
  }
  if (heavy)
    for (const [i, id] of HEAVY.UNLISTED.entries()) {
      docs.push(carrierDoc(id, ['ss7-transit'], ['PL', 'AT', 'BE', 'DK'][i], `bx-hold-t${i}`));
      docs.push(
        `apiVersion: ixaudit/v1\nkind: Owner\nmetadata: {id: bx-hold-t${i}, name: Holding bx-hold-t${i}}\nspec: {type: fund, country: LU, ownership: []}\n`,
      );
    }
  return docs.join('---\n');
}

function operatorDocs(op, country, heavy = false) {
  const [ipx, hubs] = heavy ? [HEAVY.IPX, HEAVY.HUBS] : [IPX, HUBS];
  const agreements = [...ipx, ...hubs, ...RISKY].map(
    (c) =>
      `apiVersion: ixaudit/v1\nkind: InterconnectAgreement\nmetadata: {id: ag-${c}, operator: ${op}}\nspec:\n  counterparty: ${c}\n  services: [ipx-transit, ss7-transit, diameter-transit, sms-interworking]\n  signed: 2025-01-01\n  expires: 2027-12-31\n  clauses:\n    subcontracting: {allowed: true, priorApproval: true, flowDown: true, approved: [${ipx.join(', ')}]}\n    breachNotification: {hours: 24}\n`,
  );
  return [
    `apiVersion: ixaudit/v1\nkind: Operator\nmetadata: {id: ${op}, name: Bench operator ${op}}\nspec: {country: ${country}, plmns: ["440-90"], networks: [gsm, umts, lte]}\n`,
    `apiVersion: ixaudit/v1\nkind: FirewallPolicy\nmetadata: {id: fw-main, operator: ${op}}\nspec:\n  ss7: {mode: block, categories: {cat1: block, cat2: block, cat3: monitor}, homeRouting: {sms: true}}\n  diameter: {mode: block, checks: {realmConsistency: true, originHostValidation: true, velocity: true}}\n`,
    // The failure-heavy tables send a few routes through an edge whose policy leaves SS7 unscreened (ICX-FW-08).
    ...(heavy
      ? [
          `apiVersion: ixaudit/v1\nkind: FirewallPolicy\nmetadata: {id: fw-edge, operator: ${op}}\nspec:\n  ss7: {mode: absent}\n`,
        ]
      : []),
    ...agreements,
  ].join('---\n');
}

/** One route as the loader sees it, as a plain object (shared by the YAML and CSV writers). */
function route(rand, i, count, encryptedShare = 0.5) {
  const [country, plmn, cc] = DESTINATIONS[Math.floor(rand() * DESTINATIONS.length)];
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const primary = rand() < 0.02 ? pick(RISKY) : rand() < 0.85 ? pick(IPX) : pick(HUBS);
  const backups = [pick(IPX)];
  if (rand() < 0.3) backups.push(rand() < 0.05 ? pick(RISKY) : pick(HUBS));
  const transit = [primary];
  if (rand() < 0.4) transit.push(pick(IPX));
  return {
    id: `r-${String(i).padStart(7, '0')}`,
    gtPrefix: `${cc}${String(i).padStart(7, '0')}`,
    country,
    plmn,
    primary,
    backups,
    transit,
    trafficShare: Number((100 / count).toFixed(6)),
    encryption: rand() < encryptedShare ? 'ipsec' : 'none',
    firewall: 'fw-main',
    status: rand() < 0.95 ? 'active' : 'standby',
  };
}

/**
 * A route of a failure-heavy SS7 table (issue 15): most links unencrypted (ICX-ENC-01), most backups a
 * sister brand of the primary's own group without an agreement (ICX-RES-02 and ICX-RT-05), transit onward
 * to a carrier nobody approved (ICX-RT-08) on many, a few high-risk primaries (ICX-RT-01, -03), chains that
 * do not start at the primary (ICX-RT-07) and unknown firewall policies (ICX-FW-08): about three failing
 * controls a route, all from a few hundred causes, since the routes share a few carriers.
 */
function heavyRoute(rand, i, count) {
  const { IPX, HUBS, SISTERS, UNLISTED } = HEAVY;
  const [country, plmn, cc] = DESTINATIONS[Math.floor(rand() * DESTINATIONS.length)];
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const ipx = Math.floor(rand() * IPX.length);
  const primary = rand() < 0.03 ? pick(RISKY) : rand() < 0.88 ? IPX[ipx] : pick(HUBS);
  const backups = [rand() < 0.8 ? SISTERS[ipx] : IPX[(ipx + 1) % IPX.length]];
  if (rand() < 0.1) backups.push(pick(HUBS));
  const transit = rand() < 0.06 ? [IPX[(ipx + 2) % IPX.length]] : [primary];
  if (rand() < 0.7) transit.push(rand() < 0.85 ? pick(UNLISTED) : IPX[(ipx + 3) % IPX.length]);
  return {
    id: `r-${String(i).padStart(6, '0')}`,
    gtPrefix: `${cc}${String(i).padStart(6, '0')}`,
    country,
    plmn,
    primary,
    backups,
    transit,
    trafficShare: Number((100 / count).toFixed(6)),
    encryption: rand() < 0.85 ? 'none' : 'ipsec',
    firewall: rand() < 0.03 ? 'fw-edge' : 'fw-main',
    status: rand() < 0.95 ? 'active' : 'standby',
  };
}

/**
 * One route as YAML, its item at `indent`: under `routes:` (four spaces), or at the key's own indentation
 * (two), as many YAML emitters write it (the failure-heavy tables).
 */
function yamlRoute(r, indent = '    ') {
  const more = `${indent}  `;
  return `${indent}- id: ${r.id}\n${more}match: {gtPrefix: "${r.gtPrefix}"}\n${more}destination: {country: ${r.country}, plmn: "${r.plmn}"}\n${more}primary: {carrier: ${r.primary}}\n${more}backups: [${r.backups.map((b) => `{carrier: ${b}}`).join(', ')}]\n${more}transit: [${r.transit.join(', ')}]\n${more}trafficShare: ${r.trafficShare}\n${more}encryption: ${r.encryption}\n${more}firewall: ${r.firewall}\n${more}status: ${r.status}\n`;
}

function tableHeader(op, id) {
  return `apiVersion: ixaudit/v1\nkind: RoutingTable\nmetadata: {id: ${id}, operator: ${op}, name: Synthetic STP GTT export}\nspec:\n  protocol: ss7\n  exportedAt: 2026-06-30T23:00:00Z\n  source: bench generator\n`;
}

async function writeStream(path, chunks) {
  const out = createWriteStream(path);
  for (const chunk of chunks) if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
  await new Promise((r) => out.end(r));
}

function* yamlTable(op, id, count, seed, heavy = false) {
  const rand = prng(seed);
  const [make, indent] = heavy ? [heavyRoute, '  '] : [route, '    '];
  yield `${tableHeader(op, id)}  routes:\n`;
  let buffer = '';
  for (let i = 0; i < count; i++) {
    buffer += yamlRoute(make(rand, i, count), indent);
    if (buffer.length > 1 << 20) yield buffer, (buffer = '');
  }
  yield buffer;
}

function* csvTable(op, id, count, seed, encryptedShare) {
  const rand = prng(seed);
  yield `${tableHeader(op, id)}---\nid,match.gtPrefix,destination.country,destination.plmn,primary,backups,transit,trafficShare,encryption,firewall,status\n`;
  let buffer = '';
  for (let i = 0; i < count; i++) {
    const r = route(rand, i, count, encryptedShare);
    buffer += `${r.id},${r.gtPrefix},${r.country},${r.plmn},${r.primary},${r.backups.join(';')},${r.transit.join(';')},${r.trafficShare},${r.encryption},fw-main,${r.status}\n`;
    if (buffer.length > 1 << 20) yield buffer, (buffer = '');
  }
  yield buffer;
}

const PROFILE = 'apiVersion: ixaudit/v1\nkind: AuditProfile\nmetadata: {id: bench}\nspec: {auditDate: 2026-07-01}\n';

/**
 * Every scenario the bench knows: `routes` in one operator's table, or `operators` × `routes`; `heavy` for
 * the failure-heavy tables of issue 15, `csv` for a CSV export (with `encrypted`, its share of encrypted links).
 */
export const DATA = {
  'heavy-20k': { routes: 20_000, heavy: true },
  'heavy-200k': { routes: 200_000, heavy: true },
  'heavy-1m': { routes: 1_000_000, heavy: true },
  'sector-50x20k-heavy': { operators: 50, routes: 20_000, heavy: true },
  // Ten operators of the sector run's size: its per-operator reports measured in minutes, not ten.
  'sector-10x20k-heavy': { operators: 10, routes: 20_000, heavy: true },
  // A small sector run, to try the bench's multi-operator path in seconds.
  'sector-5x4k-heavy': { operators: 5, routes: 4_000, heavy: true },
  'scale-100k': { routes: 100_000 },
  'scale-300k': { routes: 300_000 },
  'single-1m': { routes: 1_000_000 },
  'csv-1m': { routes: 1_000_000, csv: true, encrypted: 0.5 },
  'csv-1m-encrypted': { routes: 1_000_000, csv: true, encrypted: 0.95 },
  'sector-50x20k': { operators: 50, routes: 20_000 },
};

// A scenario folder records the generator that wrote it, so a changed generator regenerates it.
const STAMP = '.bench-stamp';
const generatorHash = createHash('sha256')
  .update(readFileSync(fileURLToPath(import.meta.url)))
  .digest('hex')
  .slice(0, 16);

/** Whether `root/name` holds the data this generator writes for the scenario. */
export function isGenerated(root, name) {
  const stamp = join(root, name, STAMP);
  return existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === `${name} ${generatorHash}`;
}

export async function generate(root, scenarios = Object.keys(DATA)) {
  for (const name of scenarios) {
    const spec = DATA[name];
    if (!spec) throw new Error(`no such scenario: ${name} (${Object.keys(DATA).join(', ')})`);
    const dir = join(root, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'parties.yaml'), parties(spec.heavy));
    // (The audit profile in a submission is not applied, and says so; the failure-heavy scenarios leave it out.)
    if (!spec.heavy) writeFileSync(join(dir, 'profile.yaml'), PROFILE);
    if (spec.operators) {
      for (let o = 0; o < spec.operators; o++) {
        const op = `op-bench-${String(o).padStart(2, '0')}`;
        mkdirSync(join(dir, op), { recursive: true });
        const country = ['JP', 'KR', 'NZ', 'TH', 'MY'][o % 5];
        writeFileSync(join(dir, op, 'operator.yaml'), operatorDocs(op, country, spec.heavy));
        await writeStream(join(dir, op, 'routes.yaml'), yamlTable(op, 'rt-bench', spec.routes, 100 + o, spec.heavy));
      }
    } else if (spec.csv) {
      // csv-1m and csv-1m-encrypted are the same table but for the share of encrypted links (a table after
      // remediation), so they show what the time grows with: listed failures, not routes.
      writeFileSync(join(dir, 'operator.yaml'), operatorDocs('op-bench', 'JP'));
      await writeStream(join(dir, 'routes.csv'), csvTable('op-bench', 'rt-bench', spec.routes, 1, spec.encrypted));
    } else {
      writeFileSync(join(dir, 'operator.yaml'), operatorDocs('op-bench', 'JP', spec.heavy));
      await writeStream(join(dir, 'routes.yaml'), yamlTable('op-bench', 'rt-bench', spec.routes, 1, spec.heavy));
    }
    writeFileSync(join(dir, STAMP), `${name} ${generatorHash}\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = process.argv[2] ?? '/tmp/ixaudit-bench';
  await generate(root, process.argv.slice(3).length ? process.argv.slice(3) : undefined);
  console.log(`generated in ${root}`);
}
