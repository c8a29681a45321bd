/**
 * Pretty JSON (exactly `JSON.stringify(value, null, 2)`) produced piece by piece, for documents too
 * large for one string: V8 refuses strings over ~512 MB, and a million-route audit lists hundreds of
 * thousands of failures, each a SARIF result, an OSCAL observation and risk, an HDF result.
 *
 * The big lists of a document may be lazy (any iterable that is not an array, e.g. a generator), so
 * that their elements are built one at a time while writing and never held together in memory.
 * `materialize` turns such a document into plain arrays, for callers that want to inspect it.
 */

/** A path pattern into a document: object keys, and `*` for any array element. */
export type JsonPath = readonly string[];

function isLazyList(value: unknown): value is Iterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function'
  );
}

/** The same document with every lazy list turned into an array (each is iterated once). */
export function materialize<T>(value: unknown): T {
  if (isLazyList(value)) return Array.from(value, (item) => materialize(item)) as T;
  if (Array.isArray(value)) return value.map((item) => materialize(item)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, materialize(item)])) as T;
  }
  return value as T;
}

/** `JSON.stringify(value, null, 2)` nested at `indent`: every line after the first carries the indent. */
function nested(value: unknown, indent: string): string {
  const text = JSON.stringify(value, null, 2) ?? 'null';
  return indent ? text.replace(/\n/g, `\n${indent}`) : text;
}

function leadsTo(path: readonly string[], patterns: readonly JsonPath[]): boolean {
  return patterns.some(
    (pattern) => path.length <= pattern.length && path.every((key, i) => pattern[i] === '*' || pattern[i] === key),
  );
}

/**
 * The pieces of `JSON.stringify(value, null, 2)`. Objects and arrays on the way to one of `streamed`
 * are written member by member; the list at a streamed path element by element (it may be lazy);
 * everything else in one piece. Lazy lists are only allowed at streamed paths or inside them.
 */
export function* prettyJsonChunks(
  value: unknown,
  streamed: readonly JsonPath[],
  path: string[] = [],
  indent = '',
): Generator<string> {
  const inner = `${indent}  `;
  const recurse = leadsTo(path, streamed);
  if (recurse && (Array.isArray(value) || isLazyList(value))) {
    let count = 0;
    for (const item of value) {
      yield count === 0 ? `[\n${inner}` : `,\n${inner}`;
      // JSON.stringify writes undefined and functions in arrays as null.
      yield* prettyJsonChunks(
        item === undefined || typeof item === 'function' ? null : item,
        streamed,
        [...path, '*'],
        inner,
      );
      count++;
    }
    yield count === 0 ? '[]' : `\n${indent}]`;
  } else if (
    recurse &&
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { toJSON?: unknown }).toJSON !== 'function'
  ) {
    // JSON.stringify leaves out members whose value is undefined or a function.
    const entries = Object.entries(value).filter(([, item]) => item !== undefined && typeof item !== 'function');
    if (entries.length === 0) {
      yield '{}';
      return;
    }
    for (const [i, [key, item]] of entries.entries()) {
      yield `${i === 0 ? '{\n' : ',\n'}${inner}${JSON.stringify(key)}: `;
      yield* prettyJsonChunks(item, streamed, [...path, key], inner);
    }
    yield `\n${indent}}`;
  } else if (isLazyList(value)) {
    yield nested(materialize(value), indent);
  } else {
    yield nested(value, indent);
  }
}
