import { type MainHooks, main } from '../../src/cli/main.js';

/** The bundled samples as a regulator runs them: the submissions, and the regulator's profile, registry and waivers. */
export const SAMPLE_SUBMISSIONS = 'inputs';
export const REGULATOR_OPTIONS = [
  '--profile',
  'regulator/profile.yaml',
  '--registry',
  'regulator/registry',
  '--waivers',
  'regulator/waivers',
] as const;
export const SAMPLES = [SAMPLE_SUBMISSIONS, ...REGULATOR_OPTIONS];
/** The same as AuditOptions, for in-process runs of the pipeline. */
export const REGULATOR = {
  profileFiles: ['regulator/profile.yaml'],
  registryPaths: ['regulator/registry'],
  waiverPaths: ['regulator/waivers'],
};

/**
 * Runs the command line in this process (the source, not dist/), as a user types it, capturing what it
 * prints. Far faster than spawning the binary; a few end-to-end tests still do that (test/support/cli.ts).
 */
export async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runWith({}, ...args);
}

/** run() with the hooks main() takes besides the command line (fault injection). */
export async function runWith(
  hooks: MainHooks,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  const noColor = process.env.NO_COLOR;
  console.log = (...parts: unknown[]) => void out.push(parts.join(' '));
  console.error = (...parts: unknown[]) => void err.push(parts.join(' '));
  process.env.NO_COLOR = '1';
  try {
    const code = await main(args, hooks);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
    if (noColor === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = noColor;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.removeAllListeners(signal);
  }
}
