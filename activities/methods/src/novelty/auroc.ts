/**
 * Area under the ROC curve of a novelty score (higher = more novel), computed exactly as the
 * Mann–Whitney U statistic: the probability that a random novel example scores above a random
 * normal one, ties counting one half. No thresholds, no interpolation.
 */
export function auroc(scores: ArrayLike<number>, isNovel: ArrayLike<boolean>): number {
  const n = scores.length;
  if (n !== isNovel.length) throw new Error(`auroc: ${n} scores but ${isNovel.length} labels`);
  let novel = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(scores[i]!)) throw new Error(`auroc: score ${i} is ${scores[i]}; every score must be finite`);
    if (isNovel[i]) novel++;
  }
  const normal = n - novel;
  if (!novel || !normal) throw new Error(`auroc needs both normal and novel examples; got ${normal} normal and ${novel} novel`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  // Mid-ranks (1-based) over runs of tied scores; sum of the novel examples' ranks gives U.
  let rankSumNovel = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const mid = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (isNovel[order[k]!]) rankSumNovel += mid;
    i = j + 1;
  }
  const u = rankSumNovel - (novel * (novel + 1)) / 2;
  return u / (novel * normal);
}
