// Issue 14, case 10, the error lines main.ts prints (printErrors): a file named with a newline must not
// forge an `error file:line:col` line, and a message must not drive the terminal. Passes once main.ts's
// printErrors calls terminalDiagnostic() (src/model/text.ts) instead of formatDiagnostic().
import { describe, expect, it } from 'vitest';
import { tempFiles } from './support/files.js';
import { run } from './support/run.js';

describe('error lines of ixaudit validate / audit', () => {
  it('quote a file name holding a newline and show control characters visibly', async () => {
    const name = 'broken\nerror forged.yaml:1:1: everything fine.yaml';
    // Not YAML at all: a located error naming the file.
    const dir = tempFiles({
      [`sub/${name}`]: 'apiVersion: ixaudit/v1\nkind: Operator\nmetadata: {id: op-x, name: "\\e[2J\\a"}\nspec: [\n',
    });
    const { stderr } = await run('validate', `${dir}/sub`);
    const lines = stderr.split('\n');
    expect(lines.some((l) => l.startsWith('error forged.yaml'))).toBe(false);
    expect(stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(stderr).toMatch(/^error "[^"\n]*broken\\u000aerror forged\.yaml:1:1: everything fine\.yaml":\d+:\d+: /m);
  });
});
