import type { Token, Tokens } from "marked"
import { drawList, drawQuote } from "./blocks"
import { Frame } from "./frame"
import {
  BODY,
  BODY_LINE,
  BODY_STYLE,
  CLOSING_STYLE,
  COLORS,
  type Doc,
  FONTS,
  H2_SIZE,
  H3_SIZE,
  LIST,
  PAGE,
  SUBTITLE_STYLE,
  type TextStyle,
  TITLE_SIZE,
} from "./layout"
import { inlineRuns, type Run } from "./parse"
import { drawRuns } from "./text"

export class GuideLayout {
  private readonly frame: Frame
  private previous: Token["type"] | undefined
  private firstParagraphAfterTitle = false

  constructor(private readonly doc: Doc) {
    this.frame = new Frame(doc)
  }

  render(tokens: readonly Token[]) {
    const blocks = tokens.filter((token) => token.type !== "space")
    blocks.forEach((token, index) => {
      if (token.type === "hr") this.rule(blocks[index + 1])
      else this.block(token)
      this.previous = token.type
    })
  }

  private block(token: Token) {
    switch (token.type) {
      case "heading":
        return this.heading(token as Tokens.Heading)
      case "paragraph":
        return this.paragraph(inlineRuns((token as Tokens.Paragraph).tokens))
      case "list":
        drawList(this.frame, token as Tokens.List, this.frame.left, this.frame.width)
        this.doc.y += BODY.paragraphGap - LIST.itemGap
        return
      case "blockquote":
        return drawQuote(this.frame, token as Tokens.Blockquote)
      case "code":
        return this.paragraph([{ text: (token as Tokens.Code).text, bold: false, italic: false }])
      default:
        return
    }
  }

  private heading(token: Tokens.Heading) {
    const { frame, doc } = this
    const runs = inlineRuns(token.tokens)
    if (token.depth === 1) return this.title(runs)
    const h2 = token.depth === 2
    const style: TextStyle = {
      size: h2 ? H2_SIZE : H3_SIZE,
      color: h2 ? COLORS.accent : COLORS.text,
      bold: true,
    }
    const height = frame.measure.height(runs, frame.width, style)
    // Keep a heading with at least three lines of what follows it.
    frame.gap(h2 ? 10 : 7)
    frame.keep(height + 8 + 3 * BODY_LINE)
    drawRuns(doc, runs, frame.left, doc.y, frame.width, style)
    if (h2) {
      const y = doc.y + 1
      frame.hline(y, 0.7)
      doc.y = y + 6
    } else {
      doc.y += 3
    }
  }

  private title(runs: Run[]) {
    const { frame, doc } = this
    drawRuns(doc, [{ text: "EMCO · ПАМЯТКА", bold: true, italic: false }], frame.left, doc.y, frame.width, {
      size: 8,
      color: COLORS.accent,
      characterSpacing: 1.2,
    })
    doc.y += 4
    drawRuns(doc, runs, frame.left, doc.y, frame.width, {
      size: TITLE_SIZE,
      color: COLORS.accentDark,
      bold: true,
      lineGap: 2,
    })
    const y = doc.y + 4
    doc.rect(frame.left, y, 56, 3).fill(COLORS.accent)
    doc.y = y + 12
    this.firstParagraphAfterTitle = true
  }

  private paragraph(runs: readonly Run[]) {
    const { frame, doc } = this
    // The paragraph right under the title is its subtitle; the one after a rule is the closing line.
    const subtitle = this.firstParagraphAfterTitle && this.previous === "heading"
    const style = subtitle ? SUBTITLE_STYLE : this.previous === "hr" ? CLOSING_STYLE : BODY_STYLE
    this.firstParagraphAfterTitle = false
    const height = frame.measure.height(runs, frame.width, style)
    frame.keep(height)
    drawRuns(doc, runs, frame.left, doc.y, frame.width, style)
    doc.y += subtitle ? 4 : BODY.paragraphGap
  }

  /** A thin rule, kept on one page with the paragraph after it (the closing line). */
  private rule(next: Token | undefined) {
    const { frame, doc } = this
    frame.gap(6)
    const following =
      next?.type === "paragraph"
        ? frame.measure.height(inlineRuns((next as Tokens.Paragraph).tokens), frame.width, CLOSING_STYLE)
        : 0
    frame.keep(9 + following)
    const y = doc.y
    frame.hline(y, 0.7)
    doc.y = y + 9
  }

  /** Footer on every page: the guide title on the left, "стр. N из M" on the right. */
  footers(title: string) {
    const { frame, doc } = this
    const { start, count } = doc.bufferedPageRange()
    for (let index = start; index < start + count; index++) {
      doc.switchToPage(index)
      const bottomMargin = doc.page.margins.bottom
      doc.page.margins.bottom = 0 // text below the margin would otherwise open a new page
      const y = doc.page.height - PAGE.footerOffset
      frame.hline(y - 6, 0.5)
      doc.font(FONTS.regular).fontSize(8).fillColor(COLORS.muted)
      doc.text(title, frame.left, y, { width: frame.width - 80, lineBreak: false, ellipsis: true })
      doc.text(`стр. ${index + 1} из ${count}`, frame.left + frame.width - 80, y, {
        width: 80,
        align: "right",
        lineBreak: false,
      })
      doc.page.margins.bottom = bottomMargin
    }
  }
}
