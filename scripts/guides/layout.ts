import { dirname, join } from "node:path"

export type Doc = PDFKit.PDFDocument

const FONT_DIR = join(dirname(Bun.resolveSync("dejavu-fonts-ttf/package.json", import.meta.dir)), "ttf")
export const FONTS = {
  regular: join(FONT_DIR, "DejaVuSans.ttf"),
  bold: join(FONT_DIR, "DejaVuSans-Bold.ttf"),
  italic: join(FONT_DIR, "DejaVuSans-Oblique.ttf"),
  boldItalic: join(FONT_DIR, "DejaVuSans-BoldOblique.ttf"),
}

export const COLORS = {
  text: "#1F2933",
  muted: "#66788A",
  accent: "#1D5FA8",
  accentDark: "#143F70",
  rule: "#C9D8EA",
  quoteFill: "#F1F5FA",
}

export const PAGE = { margin: 50, bottom: 54, footerOffset: 34 }
export const BODY = { size: 10.5, lineGap: 1.9, paragraphGap: 5 }
export const TITLE_SIZE = 21
export const H2_SIZE = 14.5
export const H3_SIZE = 12
export const LIST = { indent: 16, nestedIndent: 14, itemGap: 3 }
export const QUOTE = { bar: 3, padX: 12, padY: 7, gap: 4 }

export interface TextStyle {
  size: number
  color: string
  /** Colour of italic runs (the component marks in the example dialogue). */
  italicColor?: string
  lineGap?: number
  bold?: boolean
  characterSpacing?: number
}

export const BODY_STYLE: TextStyle = { size: BODY.size, color: COLORS.text }
export const SUBTITLE_STYLE: TextStyle = {
  size: 11,
  color: COLORS.muted,
  italicColor: COLORS.muted,
  lineGap: 2,
}
export const CLOSING_STYLE: TextStyle = { size: 11, color: COLORS.accentDark }
/** Approximate height of one body line, for keeping a heading with what follows it. */
export const BODY_LINE = BODY.size * 1.17 + BODY.lineGap
