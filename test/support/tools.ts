import { describe, it, type TestContext } from 'vitest';
import { missingNote, missingTools, ON_CI, type Tool } from './tool-path.js';

export { hasTool, missingNote, missingTools, ON_CI, PACKAGES, type Tool } from './tool-path.js';

// Test helpers for the programs of tool-path.ts: skip what needs a missing one, with the reason; on CI, fail.

function ciFailure(missing: readonly Tool[]): Error {
  return new Error(
    `CI=true but ${missingNote(missing)}: CI must run every check, and .ci/run installs these programs. Unset CI to skip them locally.`,
  );
}

const warned = new Set<string>();
const annotated = new WeakMap<object, Set<string>>();

/** One line on stderr for each skip, so that the default reporter shows it too. */
function warnSkipped(missing: readonly Tool[], what: string): void {
  const line = `[ixaudit tests] skipped ${what}: ${missingNote(missing)}.`;
  if (warned.has(line)) return;
  warned.add(line);
  console.warn(line);
}

/**
 * A describe block whose every test needs the tools (its beforeAll uses them, or every test does).
 * Missing tools: the whole block is skipped, its name saying why; on CI it fails instead.
 */
export function describeWith(tools: readonly Tool[], name: string, body: () => void): void {
  const missing = missingTools(tools);
  if (missing.length === 0) {
    describe(name, body);
  } else if (ON_CI) {
    describe(name, () => {
      it(`needs ${missing.join(', ')}`, () => {
        throw ciFailure(missing);
      });
    });
  } else {
    warnSkipped(missing, `"${name}"`);
    describe.skip(`${name} [skipped: ${missingNote(missing)}]`, body);
  }
}

/**
 * Inside a test: run the checks that need `tools` when they are installed. When they are not, the rest
 * of the test still runs and this records why these checks did not (a test annotation, shown by the
 * verbose reporter, and a line on stderr); on CI it fails the test instead.
 */
export async function withTools<T>(
  context: TestContext,
  tools: readonly Tool[],
  checks: () => T | Promise<T>,
): Promise<T | undefined> {
  const missing = missingTools(tools);
  if (missing.length === 0) return checks();
  if (ON_CI) throw ciFailure(missing);
  warnSkipped(missing, `checks in "${context.task.name}"`);
  const note = `checks skipped: ${missingNote(missing)}`;
  const notes = annotated.get(context.task) ?? new Set<string>();
  annotated.set(context.task, notes);
  if (!notes.has(note)) {
    notes.add(note);
    await context.annotate(note, 'skipped');
  }
  return undefined;
}

/**
 * A test that is all about the tools: skip it with the reason (shown beside it by the reporter) when
 * they are missing; on CI fail. Call first in the test: `requireTools(context, ['soffice'])`.
 */
export function requireTools(context: TestContext, tools: readonly Tool[]): void {
  const missing = missingTools(tools);
  if (missing.length === 0) return;
  if (ON_CI) throw ciFailure(missing);
  warnSkipped(missing, `"${context.task.name}"`);
  context.skip(missingNote(missing));
}
