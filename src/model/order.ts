/** Code-point order: the same on every machine and locale, so outputs are byte-identical. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts by several keys in turn with compareText. */
export function byKeys<T>(...keys: Array<(item: T) => string>): (a: T, b: T) => number {
  return (a, b) => {
    for (const key of keys) {
      const order = compareText(key(a), key(b));
      if (order !== 0) return order;
    }
    return 0;
  };
}
