#!/usr/bin/env node
// `npm test`: the Debian test tools (installed when missing), both type-checks, lint and format, then
// vitest. Each step's time and the total are printed, so a slow step is seen. Arguments go to vitest.
//
// The compile, the tests' type-check and lint read the sources and write nothing another of them reads
// (only the compile writes, to dist/), so they run at once: each is mostly one core, and one after
// another they took 19 s of a clean clone's run against the longest one's 10 s. Each one's output is
// held and printed when it ends, in the order below, so that their messages do not interleave.
import { spawn, spawnSync } from 'node:child_process';

const tools = ['test tools', 'bash', ['scripts/test-tools.sh']];
const checks = [
  ['compile', 'npx', ['tsc', '-p', 'tsconfig.json']],
  ['type-check tests', 'npx', ['tsc', '-p', 'tsconfig.check.json']],
  ['lint and format', 'npx', ['biome', 'check', '--error-on-warnings']],
];
const tests = ['tests', 'npx', ['vitest', 'run', ...process.argv.slice(2)]];

const seconds = (ms) => {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
};

const started = Date.now();
const times = [];

function fail(name, status, signal) {
  console.error(`\nnpm test: ${name} failed (${signal ?? `exit ${status}`}) after ${seconds(Date.now() - started)}`);
  process.exit(status ?? 1);
}

/** Runs a step with the terminal as its output. */
function runInline([name, command, args]) {
  const t0 = Date.now();
  const { status, signal } = spawnSync(command, args, { stdio: 'inherit' });
  times.push(`${name} ${seconds(Date.now() - t0)}`);
  if (status !== 0) fail(name, status, signal);
}

/** Runs a step with its output held: resolves to its status, signal, output and time. */
function runHeld([name, command, args]) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const output = [];
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => output.push({ to: process.stdout, chunk }));
    child.stderr.on('data', (chunk) => output.push({ to: process.stderr, chunk }));
    child.on('error', (err) => resolve({ name, status: 1, signal: null, output, error: err, ms: Date.now() - t0 }));
    child.on('close', (status, signal) => resolve({ name, status, signal, output, ms: Date.now() - t0 }));
  });
}

runInline(tools);
const results = await Promise.all(checks.map(runHeld));
for (const { name, output, error, ms } of results) {
  for (const { to, chunk } of output) to.write(chunk);
  if (error) console.error(`npm test: could not start ${name}: ${error.message}`);
  times.push(`${name} ${seconds(ms)}`);
}
// Every check's messages are shown before the first failure ends the run.
const failed = results.find((r) => r.status !== 0);
if (failed) fail(failed.name, failed.status, failed.signal);
runInline(tests);
console.log(`\nnpm test passed in ${seconds(Date.now() - started)} (${times.join(', ')})`);
