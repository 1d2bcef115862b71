/** Agreement statistics of binary decisions against labels (or against another rater). Pure. */

export interface Confusion {
  readonly tp: number
  readonly fp: number
  readonly fn: number
  readonly tn: number
}

/** Counts of (predicted, expected) pairs. */
export const confusion = (pairs: ReadonlyArray<readonly [boolean, boolean]>): Confusion => {
  let tp = 0
  let fp = 0
  let fn = 0
  let tn = 0
  for (const [predicted, expected] of pairs) {
    if (predicted && expected) tp++
    else if (predicted) fp++
    else if (expected) fn++
    else tn++
  }
  return { tp, fp, fn, tn }
}

/** Share of predicted positives that were right; null when nothing was predicted. */
export const precision = ({ tp, fp }: Confusion): number | null => (tp + fp > 0 ? tp / (tp + fp) : null)

/** Share of expected positives that were found; null when nothing was expected. */
export const recall = ({ tp, fn }: Confusion): number | null => (tp + fn > 0 ? tp / (tp + fn) : null)

/**
 * Cohen's κ: agreement beyond chance, (po − pe) / (1 − pe). When chance alone explains everything (both raters
 * always said the same single value) κ is 1 for full agreement, else 0; null without any pair.
 */
export const kappa = ({ tp, fp, fn, tn }: Confusion): number | null => {
  const n = tp + fp + fn + tn
  if (n === 0) return null
  const observed = (tp + tn) / n
  const chance = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / (n * n)
  if (chance === 1) return observed === 1 ? 1 : 0
  return (observed - chance) / (1 - chance)
}

/** A decision from k samples: more than half said yes (a failed sample, null, is no vote). */
export const majority = (votes: ReadonlyArray<boolean | null>): boolean =>
  votes.filter((v) => v === true).length * 2 > votes.length

/**
 * Share of decisions whose samples disagreed among themselves (failed samples aside); null with fewer than two
 * samples, where nothing can flip.
 */
export const flipRate = (decisions: ReadonlyArray<ReadonlyArray<boolean | null>>): number | null => {
  const judged = decisions
    .map((votes) => votes.filter((v): v is boolean => v !== null))
    .filter((v) => v.length > 1)
  if (judged.length === 0) return null
  return judged.filter((votes) => votes.some((v) => v !== votes[0])).length / judged.length
}

/** part / whole, or null when there was nothing to count. */
export const share = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null)
