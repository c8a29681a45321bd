import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFiles } from './support/files.js';
import { REGULATOR_OPTIONS, run } from './support/run.js';

// Issue 14, item 12: Ctrl-C and SIGTERM waited for synchronous work (44.5 s on a 100,000-route audit,
// 41.6 s while writing reports). ixaudit now installs no handler, so a signal ends it at once; the
// previous reports stay, and the guard process removes what the interrupted run left in --out.

/** One operator with a CSV routing table of `routes` routes: a run long enough to interrupt. */
function largeSubmission(routes: number): string {
  const rows = ['id,match.gtPrefix,destination.country,primary,backups,trafficShare,encryption,status'];
  for (let i = 0; i < routes; i++) rows.push(`r-${i},8613${i},CN,${i % 2 ? 'cmi' : 'ntt-ipx'},ctg,0,none,active`);
  return tempFiles({
    'op.yaml':
      'apiVersion: ixaudit/v1\nkind: Operator\nmetadata: {id: jp-big}\nspec: {country: JP, plmns: ["440-97"], networks: [gsm]}\n',
    'rt.csv': `apiVersion: ixaudit/v1\nkind: RoutingTable\nmetadata: {id: rt-big, operator: jp-big}\nspec: {protocol: ss7, exportedAt: 2026-06-30}\n---\n${rows.join('\n')}\n`,
  });
}

/**
 * Starts the real binary and sends `signal` once `when()` holds (polled every 20 ms); resolves with how
 * long after the signal it ended (-1: it ended before the signal was sent).
 */
function interrupt(
  args: string[],
  signal: NodeJS.Signals,
  when: () => boolean,
): Promise<{ signal: NodeJS.Signals | null; endedAfterMs: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/ixaudit.js', ...args], { stdio: 'ignore' });
    let sentAt = 0;
    const timer = setInterval(() => {
      if (sentAt !== 0 || !when()) return;
      sentAt = Date.now();
      child.kill(signal);
    }, 20);
    child.on('exit', (_code, sig) => {
      clearInterval(timer);
      resolve({ signal: sig, endedAfterMs: sentAt === 0 ? -1 : Date.now() - sentAt });
    });
  });
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('signals end a run at once, and leave the previous reports', () => {
  const staging = (out: string) => () => readdirSync(out).some((n) => n.startsWith('.ixaudit-staging-'));
  const started = Date.now.bind(Date);
  for (const [signal, phase] of [
    ['SIGINT', 'while auditing'],
    ['SIGTERM', 'while writing the reports'],
  ] as const) {
    it(`${signal} ${phase}`, async () => {
      const out = tempFiles({});
      expect(
        (await run('audit', 'inputs/no-nordlys', ...REGULATOR_OPTIONS, '--out', out, '--format', 'json', '-q')).code,
      ).toBe(0);
      const before = readFileSync(join(out, 'findings.json'));
      const t0 = started();
      // While auditing: 0.4 s in, long before the reports (30,000 routes take seconds to load and audit).
      // While writing: as soon as the staging folder of the new run exists.
      const when = phase === 'while auditing' ? () => started() - t0 > 400 && !staging(out)() : staging(out);
      // Auditing 30,000 routes takes seconds; writing every report of 6,000 takes over one, and the audit
      // before it stays short, so the test does not wait for a long audit to reach the writers.
      const routes = phase === 'while auditing' ? 30_000 : 6_000;
      const result = await interrupt(
        ['audit', largeSubmission(routes), '--date', '2026-07-01', '--out', out, '-q'],
        signal,
        when,
      );
      expect(result.endedAfterMs, 'the run was still going when the signal was sent').toBeGreaterThanOrEqual(0);
      expect(result.signal).toBe(signal);
      expect(result.endedAfterMs).toBeLessThan(1000);
      await settle(700); // the guard polls every 100 ms
      expect(readFileSync(join(out, 'findings.json'))).toEqual(before);
      expect(readdirSync(out).filter((n) => n.startsWith('.ixaudit-'))).toEqual([]);
    });
  }
});
