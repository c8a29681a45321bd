/**
 * How often a long loop over routes, subjects or locations says how far it is (enrichment, evaluation,
 * locating findings), so the terminal of a national run never goes quiet. Tests lower it to see the
 * steps on a small table.
 */
export const progressEvery = { items: 50_000 };
