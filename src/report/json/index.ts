import { join } from 'node:path';
import type { AuditResult } from '../../model/report.js';
import type { Reporter } from '../types.js';
import { writeChunksAtomic } from '../write-atomic.js';

/** Top-level lists that can be huge (a million-route table): written element by element. */
const STREAMED = new Set(['findings', 'summarised']);

/**
 * findings.json as a sequence of chunks whose concatenation is exactly `JSON.stringify(result, null, 2)`
 * plus a newline. Key order follows the model and lists are sorted upstream: same input, same bytes. The
 * chunks keep memory flat and stay under V8's ~512 MB limit on a single string.
 */
export function* findingsJsonChunks(result: AuditResult): Generator<string> {
  const entries = Object.entries(result).filter(([, value]) => value !== undefined);
  yield '{\n';
  for (const [i, [key, value]] of entries.entries()) {
    const comma = i + 1 < entries.length ? ',' : '';
    if (STREAMED.has(key) && Array.isArray(value) && value.length > 0) {
      yield `  ${JSON.stringify(key)}: [\n`;
      for (const [j, item] of value.entries()) {
        yield `    ${JSON.stringify(item, null, 2).replace(/\n/g, '\n    ')}${j + 1 < value.length ? ',' : ''}\n`;
      }
      yield `  ]${comma}\n`;
    } else {
      yield `  ${JSON.stringify(key)}: ${JSON.stringify(value, null, 2).replace(/\n/g, '\n  ')}${comma}\n`;
    }
  }
  yield '}\n';
}

export function findingsJson(result: AuditResult): string {
  return [...findingsJsonChunks(result)].join('');
}

export const jsonReporter: Reporter = {
  name: 'json',
  async write(report, outDir) {
    const path = join(outDir, 'findings.json');
    writeChunksAtomic(path, findingsJsonChunks(report.result));
    return [path];
  },
};
