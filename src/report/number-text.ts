/** A count as people read it: 20,000 (every format and the terminal write counts the same way). */
export function countText(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * A percentage as every page writes it: at most two decimals, none when whole (66.67, 25, 0.5). The views
 * keep three decimals so that sorting and the workbooks' numbers stay exact; text shows two.
 */
export function percentText(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0+$/, '').replace(/\.$/, '');
}
