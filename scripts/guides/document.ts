import { createHash } from "node:crypto"
import PDFDocument from "pdfkit"
import { type Doc, FONTS, PAGE } from "./layout"

/** Fixed dates in the document info: rebuilding an unchanged source gives identical bytes. */
export const GUIDE_DATE = new Date("2026-01-01T00:00:00Z")

// pdfkit writes the trailer /ID from its private `_id`; a placeholder is written first and then replaced by a
// hash of the finished file, so the ID follows the content and never depends on the clock or randomness.
const ID_PLACEHOLDER = `<${"0".repeat(32)}>`

export const createGuideDocument = (title: string, subject: string): Doc => {
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
  return doc
}

export const withContentId = (pdf: Uint8Array): Uint8Array => {
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

export const collect = (doc: Doc): Promise<Uint8Array> =>
  new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = []
    doc.on("data", (chunk: Uint8Array) => chunks.push(chunk))
    doc.on("end", () => resolve(Buffer.concat(chunks)))
    doc.on("error", reject)
  })

/** Number of pages of a PDF built by buildGuide (counts the page objects). */
export const pageCount = (pdf: Uint8Array): number =>
  Buffer.from(pdf)
    .toString("latin1")
    .match(/\/Type \/Page\b(?!s)/g)?.length ?? 0
