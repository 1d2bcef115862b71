import PDFDocument from "pdfkit"
import { BODY, type Doc, FONTS, type TextStyle } from "./layout"
import type { Run } from "./parse"

const fontFor = (run: Run, style: TextStyle): string => {
  const bold = run.bold || style.bold === true
  if (bold && run.italic) return FONTS.boldItalic
  if (bold) return FONTS.bold
  if (run.italic) return FONTS.italic
  return FONTS.regular
}

/** Draws mixed-style runs as one wrapped paragraph at (x, y); leaves doc.y below it. */
export const drawRuns = (
  doc: Doc,
  runs: readonly Run[],
  x: number,
  y: number,
  width: number,
  style: TextStyle,
) => {
  const visible = runs.length > 0 ? runs : [{ text: " ", bold: false, italic: false }]
  visible.forEach((run, index) => {
    const options: PDFKit.Mixins.TextOptions = {
      width,
      lineGap: style.lineGap ?? BODY.lineGap,
      continued: index < visible.length - 1,
      characterSpacing: style.characterSpacing ?? 0,
    }
    doc
      .font(fontFor(run, style))
      .fontSize(style.size)
      .fillColor(run.italic && style.italicColor ? style.italicColor : style.color)
    if (index === 0) doc.text(run.text, x, y, options)
    else doc.text(run.text, options)
  })
}

/**
 * Exact heights of mixed-style paragraphs: the runs are laid out in a scratch document with one very tall page
 * (never written anywhere), so the keep-together decisions use the same line breaking as the real page.
 */
export class Measurer {
  private readonly scratch: Doc = new PDFDocument({ size: [600, 14_000], margin: 0, font: FONTS.regular })

  height(runs: readonly Run[], width: number, style: TextStyle): number {
    drawRuns(this.scratch, runs, 0, 0, width, style)
    return this.scratch.y
  }
}
