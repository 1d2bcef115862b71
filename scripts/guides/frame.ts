import { COLORS, type Doc } from "./layout"
import { Measurer } from "./text"

export class Frame {
  readonly measure = new Measurer()

  constructor(readonly doc: Doc) {}

  get left() {
    return this.doc.page.margins.left
  }
  get width() {
    return this.doc.page.width - this.doc.page.margins.left - this.doc.page.margins.right
  }
  get bottom() {
    return this.doc.page.height - this.doc.page.margins.bottom
  }
  get atPageTop() {
    return this.doc.y <= this.doc.page.margins.top + 0.5
  }

  /** Starts a new page unless `height` points still fit (a block taller than a page is never pushed). */
  keep(height: number) {
    const room = this.bottom - this.doc.y
    const pageRoom = this.bottom - this.doc.page.margins.top
    if (height > room && height <= pageRoom) this.doc.addPage()
  }

  gap(points: number) {
    if (!this.atPageTop) this.doc.y += points
  }

  hline(y: number, lineWidth: number) {
    this.doc
      .moveTo(this.left, y)
      .lineTo(this.left + this.width, y)
      .lineWidth(lineWidth)
      .strokeColor(COLORS.rule)
      .stroke()
  }
}
