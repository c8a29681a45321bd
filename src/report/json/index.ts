import { join } from 'node:path';
import type { AuditResult } from '../../model/report.js';
import type { Reporter } from '../types.js';
import { writeChunksAtomic } from '../write-atomic.js';
import { prettyJsonChunks, type JsonPath } from '../json-stream.js';

/** Top-level lists that can be huge (a million-route table): written element by element. */
const STREAMED: JsonPath[] = [['findings'], ['summarised']];

/**
 * findings.json as a sequence of chunks whose concatenation is exactly `JSON.stringify(result, null, 2)`
 * plus a newline. Key order follows the model and lists are sorted upstream: same input, same bytes. The
 * chunks keep memory flat and stay under V8's ~512 MB limit on a single string.
 */
export function* findingsJsonChunks(result: AuditResult): Generator<string> {
  yield* prettyJsonChunks(result, STREAMED);
  yield '\n';
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
