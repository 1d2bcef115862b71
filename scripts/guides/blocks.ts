import type { Tokens } from "marked"
import type { Frame } from "./frame"
import { BODY, BODY_STYLE, COLORS, LIST, QUOTE, type TextStyle } from "./layout"
import { inlineRuns, itemRuns, NBSP } from "./parse"
import { drawRuns } from "./text"

export const drawList = (frame: Frame, list: Tokens.List, x: number, width: number, depth = 0) => {
  const doc = frame.doc
  const start = typeof list.start === "number" ? list.start : 1
  const indent = depth === 0 ? LIST.indent : LIST.nestedIndent
  const style = BODY_STYLE
  list.items.forEach((item, index) => {
    const runs = itemRuns(item)
    const textWidth = width - indent
    frame.keep(frame.measure.height(runs, textWidth, style))
    const y = doc.y
    const marker = list.ordered ? `${start + index}.` : depth === 0 ? "•" : "–"
    drawRuns(doc, [{ text: marker, bold: list.ordered, italic: false }], x, y, indent, {
      size: BODY.size,
      color: COLORS.accent,
    })
    drawRuns(doc, runs, x + indent, y, textWidth, style)
    for (const child of item.tokens) {
      if (child.type === "list") {
        doc.y += LIST.itemGap
        drawList(frame, child as Tokens.List, x + indent, textWidth, depth + 1)
        doc.y -= LIST.itemGap
      }
    }
    doc.y += LIST.itemGap
  })
}

/** The example dialogue: one tinted panel per replica, kept whole, with an accent bar on the left. */
export const drawQuote = (frame: Frame, quote: Tokens.Blockquote) => {
  const doc = frame.doc
  const paragraphs = quote.tokens.filter((token) => token.type === "paragraph") as Tokens.Paragraph[]
  const innerWidth = frame.width - QUOTE.bar - 2 * QUOTE.padX
  const style: TextStyle = { size: BODY.size, color: COLORS.text, italicColor: COLORS.accent }
  frame.gap(2)
  paragraphs.forEach((paragraph, index) => {
    // Component marks such as "(Р — Результат, О — Отношение)" break only after a comma.
    const runs = inlineRuns(paragraph.tokens).map((run) =>
      run.italic ? { ...run, text: run.text.replace(/(?<!,) /g, NBSP) } : run,
    )
    const textHeight = frame.measure.height(runs, innerWidth, style) - BODY.lineGap
    const last = index === paragraphs.length - 1
    const before = index === 0 ? QUOTE.padY : QUOTE.gap
    const after = last ? QUOTE.padY : QUOTE.gap
    const pageBefore = doc.page
    frame.keep(before + textHeight + after)
    const top = doc.page !== pageBefore || index === 0 ? QUOTE.padY : before
    const y = doc.y
    const height = top + textHeight + after
    doc.rect(frame.left, y, frame.width, height).fill(COLORS.quoteFill)
    doc.rect(frame.left, y, QUOTE.bar, height).fill(COLORS.accent)
    drawRuns(doc, runs, frame.left + QUOTE.bar + QUOTE.padX, y + top, innerWidth, style)
    doc.y = y + height
  })
  doc.y += BODY.paragraphGap + 2
}
