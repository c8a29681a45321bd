/** A count as people read it: 20,000 (every format and the terminal write counts the same way). */
export function countText(n: number): string {
  return n.toLocaleString('en-US');
}
