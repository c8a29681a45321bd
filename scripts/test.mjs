#!/usr/bin/env node
// `npm test`: the Debian test tools (installed when missing), both type-checks, lint and format, then
// vitest. Each step's time and the total are printed, so a slow step is seen. Arguments go to vitest.
import { spawnSync } from 'node:child_process';

const steps = [
  ['test tools', 'bash', ['scripts/test-tools.sh']],
  ['compile', 'npx', ['tsc', '-p', 'tsconfig.json']],
  ['type-check tests', 'npx', ['tsc', '-p', 'tsconfig.check.json']],
  ['lint and format', 'npx', ['biome', 'check', '--error-on-warnings']],
  ['tests', 'npx', ['vitest', 'run', ...process.argv.slice(2)]],
];

const seconds = (ms) => {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
};

const started = Date.now();
const times = [];
for (const [name, command, args] of steps) {
  const t0 = Date.now();
  const { status, signal } = spawnSync(command, args, { stdio: 'inherit' });
  times.push(`${name} ${seconds(Date.now() - t0)}`);
  if (status !== 0) {
    console.error(`\nnpm test: ${name} failed (${signal ?? `exit ${status}`}) after ${seconds(Date.now() - started)}`);
    process.exit(status ?? 1);
  }
}
console.log(`\nnpm test passed in ${seconds(Date.now() - started)} (${times.join(', ')})`);
