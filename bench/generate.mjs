// Deterministic synthetic submissions for `npm run bench` (issue 7): realistic shapes, fictional data.
// Usage: node bench/generate.mjs OUT_DIR [SCENARIO...]   (scale-100k/, scale-300k/, single-1m/, csv-1m/, csv-1m-encrypted/, sector-50x20k/)
import { mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';

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

/** Carriers with deep ownership chains (five holding companies up to a fund), most traffic via a few IPX. */
export function parties() {
  const docs = [];
  for (const [i, id] of [...IPX, ...HUBS].entries()) {
    const chain = Array.from({ length: 5 }, (_, k) => `bx-hold-${i}-${k}`);
    docs.push(
      `apiVersion: ixaudit/v1\nkind: Carrier\nmetadata: {id: ${id}, name: Bench carrier ${id}}\nspec:\n  roles: [ipx, ss7-transit, diameter-transit]\n  incorporatedIn: ${['DE', 'FR', 'NL', 'SE', 'CH', 'GB', 'US', 'JP'][i]}\n  ownership: [{owner: ${chain[0]}, share: 100}]\n  certifications: [{scheme: iso-27001, expires: 2027-12-31}]\n`,
    );
    chain.forEach((owner, k) => {
      const next = k + 1 < chain.length ? `[{owner: ${chain[k + 1]}, share: ${60 + k}}]` : '[]';
      docs.push(
        `apiVersion: ixaudit/v1\nkind: Owner\nmetadata: {id: ${owner}, name: Holding ${owner}}\nspec: {type: ${k + 1 < chain.length ? 'company' : 'fund'}, country: ${['LU', 'NL', 'IE', 'US', 'GB'][k]}, ownership: ${next}}\n`,
      );
    });
  }
  return docs.join('---\n');
}

function operatorDocs(op, country) {
  const agreements = [...IPX, ...HUBS, ...RISKY].map(
    (c) =>
      `apiVersion: ixaudit/v1\nkind: InterconnectAgreement\nmetadata: {id: ag-${c}, operator: ${op}}\nspec:\n  counterparty: ${c}\n  services: [ipx-transit, ss7-transit, diameter-transit, sms-interworking]\n  signed: 2025-01-01\n  expires: 2027-12-31\n  clauses:\n    subcontracting: {allowed: true, priorApproval: true, flowDown: true, approved: [${IPX.join(', ')}]}\n    breachNotification: {hours: 24}\n`,
  );
  return [
    `apiVersion: ixaudit/v1\nkind: Operator\nmetadata: {id: ${op}, name: Bench operator ${op}}\nspec: {country: ${country}, plmns: ["440-90"], networks: [gsm, umts, lte]}\n`,
    `apiVersion: ixaudit/v1\nkind: FirewallPolicy\nmetadata: {id: fw-main, operator: ${op}}\nspec:\n  ss7: {mode: block, categories: {cat1: block, cat2: block, cat3: monitor}, homeRouting: {sms: true}}\n  diameter: {mode: block, checks: {realmConsistency: true, originHostValidation: true, velocity: true}}\n`,
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
    status: rand() < 0.95 ? 'active' : 'standby',
  };
}

function yamlRoute(r) {
  return `    - id: ${r.id}\n      match: {gtPrefix: "${r.gtPrefix}"}\n      destination: {country: ${r.country}, plmn: "${r.plmn}"}\n      primary: {carrier: ${r.primary}}\n      backups: [${r.backups.map((b) => `{carrier: ${b}}`).join(', ')}]\n      transit: [${r.transit.join(', ')}]\n      trafficShare: ${r.trafficShare}\n      encryption: ${r.encryption}\n      firewall: fw-main\n      status: ${r.status}\n`;
}

function tableHeader(op, id) {
  return `apiVersion: ixaudit/v1\nkind: RoutingTable\nmetadata: {id: ${id}, operator: ${op}, name: Synthetic STP GTT export}\nspec:\n  protocol: ss7\n  exportedAt: 2026-06-30T23:00:00Z\n  source: bench generator\n`;
}

async function writeStream(path, chunks) {
  const out = createWriteStream(path);
  for (const chunk of chunks) if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
  await new Promise((r) => out.end(r));
}

function* yamlTable(op, id, count, seed) {
  const rand = prng(seed);
  yield `${tableHeader(op, id)}  routes:\n`;
  let buffer = '';
  for (let i = 0; i < count; i++) {
    buffer += yamlRoute(route(rand, i, count));
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

export async function generate(
  root,
  scenarios = ['scale-100k', 'scale-300k', 'single-1m', 'csv-1m', 'csv-1m-encrypted', 'sector-50x20k'],
) {
  const sizes = { 'scale-100k': 100_000, 'scale-300k': 300_000, 'single-1m': 1_000_000 };
  for (const name of scenarios) {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'parties.yaml'), parties());
    writeFileSync(join(dir, 'profile.yaml'), PROFILE);
    if (name in sizes) {
      writeFileSync(join(dir, 'operator.yaml'), operatorDocs('op-bench', 'JP'));
      await writeStream(join(dir, 'routes.yaml'), yamlTable('op-bench', 'rt-bench', sizes[name], 1));
    } else if (name === 'csv-1m' || name === 'csv-1m-encrypted') {
      // The same table; "-encrypted" has 95 % of its links encrypted (a table after remediation), so it
      // shows what the time grows with: listed failures, not routes.
      writeFileSync(join(dir, 'operator.yaml'), operatorDocs('op-bench', 'JP'));
      await writeStream(
        join(dir, 'routes.csv'),
        csvTable('op-bench', 'rt-bench', 1_000_000, 1, name === 'csv-1m' ? 0.5 : 0.95),
      );
    } else {
      for (let o = 0; o < 50; o++) {
        const op = `op-bench-${String(o).padStart(2, '0')}`;
        mkdirSync(join(dir, op), { recursive: true });
        writeFileSync(join(dir, op, 'operator.yaml'), operatorDocs(op, ['JP', 'KR', 'NZ', 'TH', 'MY'][o % 5]));
        await writeStream(join(dir, op, 'routes.yaml'), yamlTable(op, 'rt-bench', 20_000, 100 + o));
      }
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = process.argv[2] ?? '/tmp/ixaudit-bench';
  await generate(root, process.argv.slice(3).length ? process.argv.slice(3) : undefined);
  console.log(`generated in ${root}`);
}
