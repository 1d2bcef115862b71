// Builds the PDF guides: every static/guides/<id>.md becomes static/guides/<id>.pdf (A4, DejaVu Sans embedded).
// Run with `bun run guides`. The output is deterministic, so the committed PDFs can be checked against their sources.
import { createHash } from "node:crypto"
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { Lexer, type Token, type Tokens } from "marked"
import PDFDocument from "pdfkit"

export const GUIDES_DIR = join(import.meta.dir, "..", "static", "guides")

/** Fixed dates in the document info: rebuilding an unchanged source gives identical bytes. */
export const GUIDE_DATE = new Date("2026-01-01T00:00:00Z")

const FONT_DIR = join(dirname(Bun.resolveSync("dejavu-fonts-ttf/package.json", import.meta.dir)), "ttf")
const FONTS = {
  regular: join(FONT_DIR, "DejaVuSans.ttf"),
  bold: join(FONT_DIR, "DejaVuSans-Bold.ttf"),
  italic: join(FONT_DIR, "DejaVuSans-Oblique.ttf"),
  boldItalic: join(FONT_DIR, "DejaVuSans-BoldOblique.ttf"),
}

const COLORS = {
  text: "#1F2933",
  muted: "#66788A",
  accent: "#1D5FA8",
  accentDark: "#143F70",
  rule: "#C9D8EA",
  quoteFill: "#F1F5FA",
}

const PAGE = { margin: 50, bottom: 54, footerOffset: 34 }
const BODY = { size: 10.5, lineGap: 1.9, paragraphGap: 5 }
const TITLE_SIZE = 21
const H2_SIZE = 14.5
const H3_SIZE = 12
const LIST = { indent: 16, nestedIndent: 14, itemGap: 3 }
const QUOTE = { bar: 3, padX: 12, padY: 7, gap: 4 }

type Doc = PDFKit.PDFDocument

/** A piece of inline text in one style. */
interface Run {
  text: string
  bold: boolean
  italic: boolean
}

interface TextStyle {
  size: number
  color: string
  /** Colour of italic runs (the component marks in the example dialogue). */
  italicColor?: string
  lineGap?: number
  bold?: boolean
  characterSpacing?: number
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown → inline runs

const NBSP = "\u00A0"

/** Russian typesetting: a dash never starts a line, one-letter words and "№" stay with the next word. */
export const typeset = (text: string): string =>
  text.replace(/ (?=[—–] )/g, NBSP).replace(/(?<=(?:^|[\s(«\u00A0])[вскиаоуяВСКИАОУЯ№]) /g, NBSP)

const inlineRuns = (tokens: readonly Token[] | undefined, bold = false, italic = false): Run[] => {
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
const itemRuns = (item: Tokens.ListItem): Run[] => {
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

// ---------------------------------------------------------------------------------------------------------------
// Text drawing and measuring

const fontFor = (run: Run, style: TextStyle): string => {
  const bold = run.bold || style.bold === true
  if (bold && run.italic) return FONTS.boldItalic
  if (bold) return FONTS.bold
  if (run.italic) return FONTS.italic
  return FONTS.regular
}

/** Draws mixed-style runs as one wrapped paragraph at (x, y); leaves doc.y below it. */
const drawRuns = (doc: Doc, runs: readonly Run[], x: number, y: number, width: number, style: TextStyle) => {
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
 * (never written anywhere), so the keep-together decisions below use the same line breaking as the real page.
 */
class Measurer {
  private readonly scratch: Doc = new PDFDocument({ size: [600, 14_000], margin: 0, font: FONTS.regular })

  height(runs: readonly Run[], width: number, style: TextStyle): number {
    drawRuns(this.scratch, runs, 0, 0, width, style)
    return this.scratch.y
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Layout

const BODY_STYLE: TextStyle = { size: BODY.size, color: COLORS.text }
const SUBTITLE_STYLE: TextStyle = { size: 11, color: COLORS.muted, italicColor: COLORS.muted, lineGap: 2 }
const CLOSING_STYLE: TextStyle = { size: 11, color: COLORS.accentDark }
/** Approximate height of one body line, for keeping a heading with what follows it. */
const BODY_LINE = BODY.size * 1.17 + BODY.lineGap

class GuideLayout {
  private readonly measure = new Measurer()
  private previous: Token["type"] | undefined
  private firstParagraphAfterTitle = false

  constructor(private readonly doc: Doc) {}

  private get left() {
    return this.doc.page.margins.left
  }
  private get width() {
    return this.doc.page.width - this.doc.page.margins.left - this.doc.page.margins.right
  }
  private get bottom() {
    return this.doc.page.height - this.doc.page.margins.bottom
  }
  private get atPageTop() {
    return this.doc.y <= this.doc.page.margins.top + 0.5
  }

  /** Starts a new page unless `height` points still fit (a block taller than a page is never pushed). */
  private keep(height: number) {
    const room = this.bottom - this.doc.y
    const pageRoom = this.bottom - this.doc.page.margins.top
    if (height > room && height <= pageRoom) this.doc.addPage()
  }

  private gap(points: number) {
    if (!this.atPageTop) this.doc.y += points
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
        this.list(token as Tokens.List, this.left, this.width)
        this.doc.y += BODY.paragraphGap - LIST.itemGap
        return
      case "blockquote":
        return this.blockquote(token as Tokens.Blockquote)
      case "code":
        return this.paragraph([{ text: (token as Tokens.Code).text, bold: false, italic: false }])
      default:
        return
    }
  }

  private heading(token: Tokens.Heading) {
    const runs = inlineRuns(token.tokens)
    if (token.depth === 1) return this.title(runs)
    const h2 = token.depth === 2
    const style: TextStyle = {
      size: h2 ? H2_SIZE : H3_SIZE,
      color: h2 ? COLORS.accent : COLORS.text,
      bold: true,
    }
    const height = this.measure.height(runs, this.width, style)
    // Keep a heading with at least three lines of what follows it.
    this.gap(h2 ? 10 : 7)
    this.keep(height + 8 + 3 * BODY_LINE)
    drawRuns(this.doc, runs, this.left, this.doc.y, this.width, style)
    if (h2) {
      const y = this.doc.y + 1
      this.doc
        .moveTo(this.left, y)
        .lineTo(this.left + this.width, y)
        .lineWidth(0.7)
        .strokeColor(COLORS.rule)
        .stroke()
      this.doc.y = y + 6
    } else {
      this.doc.y += 3
    }
  }

  private title(runs: Run[]) {
    const doc = this.doc
    drawRuns(doc, [{ text: "EMCO · ПАМЯТКА", bold: true, italic: false }], this.left, doc.y, this.width, {
      size: 8,
      color: COLORS.accent,
      characterSpacing: 1.2,
    })
    doc.y += 4
    drawRuns(doc, runs, this.left, doc.y, this.width, {
      size: TITLE_SIZE,
      color: COLORS.accentDark,
      bold: true,
      lineGap: 2,
    })
    const y = doc.y + 4
    doc.rect(this.left, y, 56, 3).fill(COLORS.accent)
    doc.y = y + 12
    this.firstParagraphAfterTitle = true
  }

  private paragraph(runs: readonly Run[]) {
    // The paragraph right under the title is its subtitle; the one after a rule is the closing line.
    const subtitle = this.firstParagraphAfterTitle && this.previous === "heading"
    const style = subtitle ? SUBTITLE_STYLE : this.previous === "hr" ? CLOSING_STYLE : BODY_STYLE
    this.firstParagraphAfterTitle = false
    const height = this.measure.height(runs, this.width, style)
    this.keep(height)
    drawRuns(this.doc, runs, this.left, this.doc.y, this.width, style)
    this.doc.y += subtitle ? 4 : BODY.paragraphGap
  }

  private list(list: Tokens.List, x: number, width: number, depth = 0) {
    const doc = this.doc
    const start = typeof list.start === "number" ? list.start : 1
    const indent = depth === 0 ? LIST.indent : LIST.nestedIndent
    const style = BODY_STYLE
    list.items.forEach((item, index) => {
      const runs = itemRuns(item)
      const textWidth = width - indent
      this.keep(this.measure.height(runs, textWidth, style))
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
          this.list(child as Tokens.List, x + indent, textWidth, depth + 1)
          doc.y -= LIST.itemGap
        }
      }
      doc.y += LIST.itemGap
    })
  }

  /** The example dialogue: one tinted panel per replica, kept whole, with an accent bar on the left. */
  private blockquote(quote: Tokens.Blockquote) {
    const doc = this.doc
    const paragraphs = quote.tokens.filter((token) => token.type === "paragraph") as Tokens.Paragraph[]
    const innerWidth = this.width - QUOTE.bar - 2 * QUOTE.padX
    const style: TextStyle = { size: BODY.size, color: COLORS.text, italicColor: COLORS.accent }
    this.gap(2)
    paragraphs.forEach((paragraph, index) => {
      // Component marks such as "(Р — Результат, О — Отношение)" break only after a comma.
      const runs = inlineRuns(paragraph.tokens).map((run) =>
        run.italic ? { ...run, text: run.text.replace(/(?<!,) /g, NBSP) } : run,
      )
      const textHeight = this.measure.height(runs, innerWidth, style) - BODY.lineGap
      const last = index === paragraphs.length - 1
      const before = index === 0 ? QUOTE.padY : QUOTE.gap
      const after = last ? QUOTE.padY : QUOTE.gap
      const pageBefore = doc.page
      this.keep(before + textHeight + after)
      const top = doc.page !== pageBefore || index === 0 ? QUOTE.padY : before
      const y = doc.y
      const height = top + textHeight + after
      doc.rect(this.left, y, this.width, height).fill(COLORS.quoteFill)
      doc.rect(this.left, y, QUOTE.bar, height).fill(COLORS.accent)
      drawRuns(doc, runs, this.left + QUOTE.bar + QUOTE.padX, y + top, innerWidth, style)
      doc.y = y + height
    })
    doc.y += BODY.paragraphGap + 2
  }

  /** A thin rule, kept on one page with the paragraph after it (the closing line). */
  private rule(next: Token | undefined) {
    const doc = this.doc
    this.gap(6)
    const following =
      next?.type === "paragraph"
        ? this.measure.height(inlineRuns((next as Tokens.Paragraph).tokens), this.width, CLOSING_STYLE)
        : 0
    this.keep(9 + following)
    const y = doc.y
    doc
      .moveTo(this.left, y)
      .lineTo(this.left + this.width, y)
      .lineWidth(0.7)
      .strokeColor(COLORS.rule)
      .stroke()
    doc.y = y + 9
  }

  /** Footer on every page: the guide title on the left, "стр. N из M" on the right. */
  footers(title: string) {
    const doc = this.doc
    const { start, count } = doc.bufferedPageRange()
    for (let index = start; index < start + count; index++) {
      doc.switchToPage(index)
      const bottomMargin = doc.page.margins.bottom
      doc.page.margins.bottom = 0 // text below the margin would otherwise open a new page
      const y = doc.page.height - PAGE.footerOffset
      doc
        .moveTo(this.left, y - 6)
        .lineTo(this.left + this.width, y - 6)
        .lineWidth(0.5)
        .strokeColor(COLORS.rule)
        .stroke()
      doc.font(FONTS.regular).fontSize(8).fillColor(COLORS.muted)
      doc.text(title, this.left, y, { width: this.width - 80, lineBreak: false, ellipsis: true })
      doc.text(`стр. ${index + 1} из ${count}`, this.left + this.width - 80, y, {
        width: 80,
        align: "right",
        lineBreak: false,
      })
      doc.page.margins.bottom = bottomMargin
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Document

/** Title (the h1) and subject (the subtitle paragraph under it) of a guide. */
export const guideMeta = (markdown: string): { title: string; subject: string } => {
  const tokens = Lexer.lex(markdown).filter((token) => token.type !== "space")
  const index = tokens.findIndex((token) => token.type === "heading" && (token as Tokens.Heading).depth === 1)
  const heading = tokens[index] as Tokens.Heading | undefined
  if (!heading) throw new Error("a guide needs a level-1 heading (its title)")
  const next = tokens[index + 1]
  const subject = next?.type === "paragraph" ? plainText(inlineRuns((next as Tokens.Paragraph).tokens)) : ""
  return { title: plainText(inlineRuns(heading.tokens)), subject }
}

// pdfkit writes the trailer /ID from its private `_id`; a placeholder is written first and then replaced by a
// hash of the finished file, so the ID follows the content and never depends on the clock or randomness.
const ID_PLACEHOLDER = `<${"0".repeat(32)}>`

const withContentId = (pdf: Uint8Array): Uint8Array => {
  const tail = Buffer.from(pdf.subarray(Math.max(0, pdf.length - 1024))).toString("latin1")
  const trailerId = `/ID [${ID_PLACEHOLDER} ${ID_PLACEHOLDER}]`
  const at = tail.lastIndexOf(trailerId)
  if (at < 0)
    throw new Error("pdfkit trailer has no placeholder /ID: its internals changed, see withContentId")
  const id = `<${createHash("md5").update(pdf).digest("hex")}>`
  const out = Uint8Array.from(pdf)
  out.set(Buffer.from(`/ID [${id} ${id}]`, "latin1"), pdf.length - tail.length + at)
  return out
}

const collect = (doc: Doc): Promise<Uint8Array> =>
  new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = []
    doc.on("data", (chunk: Uint8Array) => chunks.push(chunk))
    doc.on("end", () => resolve(Buffer.concat(chunks)))
    doc.on("error", reject)
  })

/** Renders one guide (Markdown source) to PDF bytes; the same source always gives the same bytes. */
export const buildGuide = async (markdown: string): Promise<Uint8Array> => {
  const { title, subject } = guideMeta(markdown)
  const doc = new PDFDocument({
    size: "A4",
    margins: { top: PAGE.margin, left: PAGE.margin, right: PAGE.margin, bottom: PAGE.bottom },
    bufferPages: true,
    pdfVersion: "1.7",
    // Uncompressed (~80 KB instead of ~40 KB): deflate output differs between zlib builds (Bun's differs from
    // Node's), and the committed PDFs must stay byte-identical to a rebuild on any runtime version.
    compress: false,
    lang: "ru",
    displayTitle: true,
    font: FONTS.regular,
    info: {
      Title: title,
      Author: "EMCO",
      Subject: subject,
      Keywords: "EMCO, тренажёр, сложные разговоры, памятка",
      Creator: "EMCO scripts/build-guides.ts",
      Producer: "PDFKit",
      CreationDate: GUIDE_DATE,
      ModDate: GUIDE_DATE,
    },
  })
  ;(doc as unknown as { _id: Uint8Array })._id = new Uint8Array(16)
  const bytes = collect(doc)
  const layout = new GuideLayout(doc)
  layout.render(Lexer.lex(markdown))
  layout.footers(title)
  doc.end()
  return withContentId(await bytes)
}

/** Number of pages of a PDF built by buildGuide (counts the page objects). */
export const pageCount = (pdf: Uint8Array): number =>
  Buffer.from(pdf)
    .toString("latin1")
    .match(/\/Type \/Page\b(?!s)/g)?.length ?? 0

const main = async () => {
  const sources = readdirSync(GUIDES_DIR)
    .filter((name) => name.endsWith(".md"))
    .sort()
  if (sources.length === 0) throw new Error(`no guides in ${GUIDES_DIR}`)
  for (const name of sources) {
    const source = join(GUIDES_DIR, name)
    const target = source.replace(/\.md$/, ".pdf")
    const pdf = await buildGuide(readFileSync(source, "utf8"))
    let unchanged = false
    try {
      unchanged = Buffer.from(readFileSync(target)).equals(Buffer.from(pdf))
    } catch {}
    if (!unchanged) writeFileSync(target, pdf)
    const where = relative(process.cwd(), target)
    const kb = (pdf.length / 1024).toFixed(1)
    console.log(`${unchanged ? "unchanged" : "wrote"} ${where} (${kb} KB, ${pageCount(pdf)} p.)`)
  }
}

if (import.meta.main) await main()
