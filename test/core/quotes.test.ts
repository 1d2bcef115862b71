import { describe, expect, test } from "bun:test"
import { normalizeForQuote, quoteVerified, shownQuote } from "../../src/core/quotes"

const LINE = "Во вторник ты — опять! — не заполнил «чек-лист» осмотра; ещё и рукав не проверил"

describe("quoteVerified: AI proposes, code decides", () => {
  test("the words as said verify, whatever the case, ё/е, whitespace, quote and dash forms", () => {
    for (const quote of [
      "не заполнил «чек-лист» осмотра",
      'НЕ  ЗАПОЛНИЛ "чек–лист" осмотра',
      "ты — опять! — не заполнил",
      "еще и рукав не проверил",
      "«во вторник ты»",
      "рукав не проверил.",
    ])
      expect({ quote, ok: quoteVerified(quote, [LINE]) }).toEqual({ quote, ok: true })
  })

  test("a paraphrase, a word changed or added, or words from another line do not", () => {
    for (const quote of [
      "не заполнил чек-лист осмотра",
      "не заполнил чек лист",
      "во вторник ты не заполнил",
      "рукав не проверял",
      "ты молодец",
    ])
      expect({ quote, ok: quoteVerified(quote, [LINE]) }).toEqual({ quote, ok: false })
  })

  test("an empty or trivial quote never verifies; any of several lines may hold the quote", () => {
    expect(quoteVerified("", [LINE])).toBe(false)
    expect(quoteVerified("  «»  ", [LINE])).toBe(false)
    expect(quoteVerified("ты", [LINE])).toBe(false)
    expect(quoteVerified("что мешает", ["привет", "Как думаешь, что мешает?"])).toBe(true)
  })

  test("normalisation is the documented one", () => {
    expect(normalizeForQuote("  Ёлка —  «Да»\n„нет“ ")).toBe('елка - "да" "нет"')
  })
})

describe("shownQuote: never cut mid-word", () => {
  test("short → as is; long → cut between words with an ellipsis, within the limit", () => {
    expect(shownQuote("коротко и ясно")).toBe("коротко и ясно")
    const long = "слово ".repeat(60).trim()
    const shown = shownQuote(long, 40)
    expect(shown.length).toBeLessThanOrEqual(40)
    expect(shown.endsWith("слово…")).toBe(true)
    expect(shownQuote("раз, два, три четыре", 12)).toBe("раз, два…")
  })
})
