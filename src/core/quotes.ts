/**
 * "AI proposes, code decides": a step counts only when the words a model quotes really are in what the learner
 * said. Both sides are compared after normalisation (case, ё/е, whitespace, quote and dash forms, the punctuation
 * at the quote's ends), so a model that changes «ё» or a dash still verifies, one that paraphrases does not.
 */

const QUOTES = /[«»„“”‟"'‘’‚‛`´]/g
const DASHES = /[‐‑‒–—―−-]/g

export const normalizeForQuote = (text: string): string =>
  text.toLowerCase().replace(/ё/g, "е").replace(QUOTES, '"').replace(DASHES, "-").replace(/\s+/g, " ").trim()

/** The quote without the punctuation a model puts around it («…», trailing dots, an ellipsis). */
const trimmedQuote = (quote: string): string =>
  normalizeForQuote(quote)
    .replace(/^[\s"'.,;:!?…-]+/, "")
    .replace(/[\s"'.,;:!?…-]+$/, "")

/** A quote this short proves nothing ("да", "ок"): it never verifies. */
const MIN_LETTERS = 3

/** Whether `quote` occurs in one of `lines` after normalisation; an empty or trivial quote never does. */
export const quoteVerified = (quote: string, lines: ReadonlyArray<string>): boolean => {
  const wanted = trimmedQuote(quote)
  if ((wanted.match(/\p{L}/gu) ?? []).length < MIN_LETTERS) return false
  return lines.some((line) => normalizeForQuote(line).includes(wanted))
}

/**
 * A quote as the learner sees it: at most `max` characters, cut only between words (with «…»), never mid-word.
 * A single word longer than `max` is shown whole.
 */
export const shownQuote = (quote: string, max = 160): string => {
  const text = quote.replace(/\s+/g, " ").trim()
  if (text.length <= max) return text
  const words = text.split(" ")
  let out = words[0] ?? ""
  for (const word of words.slice(1)) {
    if (out.length + 1 + word.length > max - 1) break
    out += ` ${word}`
  }
  return `${out.replace(/[\s,;:.-]+$/, "")}…`
}
