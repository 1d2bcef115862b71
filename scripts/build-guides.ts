// Builds the PDF guides: every static/guides/<id>.md becomes static/guides/<id>.pdf (A4, DejaVu Sans embedded).
// Run with `bun run guides`. The output is deterministic, so the committed PDFs can be checked against their sources.
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"
import { findCase } from "../src/cases/registry"
import { collect, createGuideDocument, pageCount, withContentId } from "./guides/document"
import { guideMeta, lexBlocks } from "./guides/parse"
import { GuideLayout } from "./guides/render"
import { expandStory } from "./guides/story"

export { GUIDE_DATE, pageCount } from "./guides/document"
export { guideMeta, typeset } from "./guides/parse"

export const GUIDES_DIR = join(import.meta.dir, "..", "static", "guides")

/** Renders one guide (Markdown source) to PDF bytes; the same source always gives the same bytes. */
export const buildGuide = async (markdown: string): Promise<Uint8Array> => {
  const { title, subject } = guideMeta(markdown)
  const doc = createGuideDocument(title, subject)
  const bytes = collect(doc)
  const layout = new GuideLayout(doc)
  layout.render(lexBlocks(markdown))
  layout.footers(title)
  doc.end()
  return withContentId(await bytes)
}

/** A guide's Markdown with its case's story filled in (guides/story.ts): what the PDF is built from. */
export const guideSource = (id: string): string => {
  const spec = findCase(id)
  if (!spec) throw new Error(`static/guides/${id}.md: no case with the id ${id}`)
  return expandStory(readFileSync(join(GUIDES_DIR, `${id}.md`), "utf8"), spec)
}

const main = async () => {
  const sources = readdirSync(GUIDES_DIR)
    .filter((name) => name.endsWith(".md"))
    .sort()
  if (sources.length === 0) throw new Error(`no guides in ${GUIDES_DIR}`)
  for (const name of sources) {
    const source = join(GUIDES_DIR, name)
    const target = source.replace(/\.md$/, ".pdf")
    const pdf = await buildGuide(guideSource(name.replace(/\.md$/, "")))
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
