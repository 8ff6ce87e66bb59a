// Quantiles for every view across sessions (trends' median and p90, compare's cohort medians,
// patterns' medians and cost percentile), one rule: linear interpolation between the closest ranks (what
// numpy, R's default type 7 and spreadsheets' PERCENTILE.INC give): the median of an even count
// is the mean of the middle two; p90 of 1..10 is 9.1.

/** The p-th quantile (0 ≤ p ≤ 1) of values sorted ascending; null for none. */
export function quantileOfSorted(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = (sorted.length - 1) * Math.min(1, Math.max(0, p));
  const below = Math.floor(rank);
  const low = sorted[below] as number;
  const high = sorted[Math.min(sorted.length - 1, below + 1)] as number;
  return low + (high - low) * (rank - below);
}

/** The p-th quantile of values in any order; null for none. */
export function quantile(values: readonly number[], p: number): number | null {
  return quantileOfSorted(ascending(values), p);
}

/** Median and p90 of values in any order. */
export function medianAndP90(values: readonly number[]): { median: number | null; p90: number | null } {
  const sorted = ascending(values);
  return { median: quantileOfSorted(sorted, 0.5), p90: quantileOfSorted(sorted, 0.9) };
}

// A typed array's own numeric sort: no comparator called per pair (trends sort thousands of
// durations per bucket, version and total).
function ascending(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}
