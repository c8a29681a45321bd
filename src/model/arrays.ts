/**
 * Appends every item of `source` to `target`. `target.push(...source)` passes each item as an argument
 * and overflows the call stack at a few hundred thousand items, which a million-route table reaches.
 */
export function appendAll<T>(target: T[], source: readonly T[]): T[] {
  for (const item of source) target.push(item);
  return target;
}
