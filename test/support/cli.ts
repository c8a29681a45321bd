import { spawnSync } from 'node:child_process';

/** Runs the real command as a user would (the compiled bin), without colours. */
export function ixaudit(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/ixaudit.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
