import { Lexer, type Token, type Tokens } from "marked"

/** A piece of inline text in one style. */
export interface Run {
  text: string
  bold: boolean
  italic: boolean
}

export const NBSP = "\u00A0"

export const lexBlocks = (markdown: string): Token[] => Lexer.lex(markdown)

/** Russian typesetting: a dash never starts a line, one-letter words and "№" stay with the next word. */
export const typeset = (text: string): string =>
  text.replace(/ (?=[—–] )/g, NBSP).replace(/(?<=(?:^|[\s(«\u00A0])[вскиаоуяВСКИАОУЯ№]) /g, NBSP)

export const inlineRuns = (tokens: readonly Token[] | undefined, bold = false, italic = false): Run[] => {
  const runs: Run[] = []
  for (const token of tokens ?? []) {
    switch (token.type) {
      case "strong":
        runs.push(...inlineRuns((token as Tokens.Strong).tokens, true, italic))
        break
      case "em":
        runs.push(...inlineRuns((token as Tokens.Em).tokens, bold, true))
        break
      case "link":
      case "del":
        runs.push(...inlineRuns((token as Tokens.Link | Tokens.Del).tokens, bold, italic))
        break
      case "br":
        runs.push({ text: "\n", bold, italic })
        break
      case "codespan":
      case "escape":
        runs.push({ text: (token as Tokens.Codespan | Tokens.Escape).text, bold, italic })
        break
      case "text": {
        const text = token as Tokens.Text
        if (text.tokens && text.tokens.length > 0) runs.push(...inlineRuns(text.tokens, bold, italic))
        else runs.push({ text: typeset(text.text.replace(/\s*\n\s*/g, " ")), bold, italic })
        break
      }
      case "html":
        break
      default:
        if ("text" in token && typeof token.text === "string") runs.push({ text: token.text, bold, italic })
    }
  }
  // Merge neighbours in the same style: fewer font switches, cleaner wrapping.
  return runs.reduce<Run[]>((merged, run) => {
    const last = merged.at(-1)
    if (last && last.bold === run.bold && last.italic === run.italic) last.text += run.text
    else if (run.text.length > 0) merged.push({ ...run })
    return merged
  }, [])
}

const plainText = (runs: readonly Run[]): string =>
  runs
    .map((run) => run.text)
    .join("")
    .trim()

/** The inline content of a list item (tight: a text token, loose: paragraphs), without its nested lists. */
export const itemRuns = (item: Tokens.ListItem): Run[] => {
  const runs: Run[] = []
  for (const token of item.tokens) {
    if (token.type === "text" || token.type === "paragraph") {
      if (runs.length > 0) runs.push({ text: "\n", bold: false, italic: false })
      const inline = (token as Tokens.Text | Tokens.Paragraph).tokens
      runs.push(...(inline ? inlineRuns(inline) : [{ text: token.raw, bold: false, italic: false }]))
    }
  }
  return runs
}

/** Title (the h1) and subject (the subtitle paragraph under it) of a guide. */
export const guideMeta = (markdown: string): { title: string; subject: string } => {
  const tokens = lexBlocks(markdown).filter((token) => token.type !== "space")
  const index = tokens.findIndex((token) => token.type === "heading" && (token as Tokens.Heading).depth === 1)
  const heading = tokens[index] as Tokens.Heading | undefined
  if (!heading) throw new Error("a guide needs a level-1 heading (its title)")
  const next = tokens[index + 1]
  const subject = next?.type === "paragraph" ? plainText(inlineRuns((next as Tokens.Paragraph).tokens)) : ""
  return { title: plainText(inlineRuns(heading.tokens)), subject }
}
