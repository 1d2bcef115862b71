import { describe, expect, test } from "bun:test"
import { existsSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import {
  buildGuide,
  GUIDES_DIR,
  guideMeta,
  guideSource,
  pageCount,
  typeset,
} from "../../scripts/build-guides"

const GUIDES = {
  fb_employee: ["Поведение", "Результат", "Отношение", "Вопрос", "Договорённости"],
  fb_peer: ["Поведение", "Результат", "Отношение", "Вопрос", "Договорённости"],
  career_dialog: ["Устремления", "Сильные стороны", "Развитие", "Возможности", "План"],
} as const

/** The level-2 headings every guide has, in this order. */
const SECTIONS = [
  "Что это за метод",
  "Зачем это нужно",
  "Алгоритм разговора",
  "Пример диалога",
  "Делай",
  "Не делай",
]

// Formal «вы» in any form; the guides talk to the reader with «ты».
const FORMAL =
  /(?<![\p{L}])(вы|вас|вам|вами|ваш|ваша|ваше|ваши|вашего|вашей|вашему|вашим|вашими|вашу|ваших)(?![\p{L}])/iu

const source = (id: string) => guideSource(id)
const committed = (id: string) => new Uint8Array(readFileSync(join(GUIDES_DIR, `${id}.pdf`)))
const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1")

/** The lines of a Markdown section: from its `## ` heading to the next one. */
const section = (markdown: string, heading: string): string[] => {
  const lines = markdown.split("\n")
  const start = lines.indexOf(`## ${heading}`)
  if (start < 0) return []
  const end = lines.findIndex((line, index) => index > start && line.startsWith("## "))
  return lines.slice(start + 1, end < 0 ? undefined : end)
}

for (const [id, labels] of Object.entries(GUIDES)) {
  describe(`guide ${id}`, () => {
    test("the Markdown source has a title and every section, in order", () => {
      const markdown = source(id)
      expect(markdown.startsWith("# ")).toBe(true)
      const headings = markdown
        .split("\n")
        .filter((line) => line.startsWith("## "))
        .map((line) => line.slice(3))
      expect(headings).toEqual(SECTIONS)
      expect(guideMeta(markdown).subject.length).toBeGreaterThan(0)
    })

    test("it names all five components of its method", () => {
      const markdown = source(id)
      for (const label of labels) expect(markdown).toContain(label)
      // …and the example dialogue marks each of them after a manager's line.
      const dialogue = section(markdown, "Пример диалога").join("\n")
      for (const label of labels) expect(dialogue).toMatch(new RegExp(`\\*\\([^)]*${label}[^)]*\\)\\*`))
    })

    test("the algorithm has 4 steps, the dialogue 6–10 lines (the goodbye has its own), «Делай» and «Не делай» 4 bullets each", () => {
      const markdown = source(id)
      expect(section(markdown, "Алгоритм разговора").filter((line) => /^\d+\. /.test(line))).toHaveLength(4)
      const replicas = section(markdown, "Пример диалога").filter((line) => /^> \*\*[^*]+:\*\*/.test(line))
      expect(replicas.length).toBeGreaterThanOrEqual(6)
      expect(replicas.length).toBeLessThanOrEqual(10)
      expect(section(markdown, "Делай").filter((line) => line.startsWith("- "))).toHaveLength(4)
      expect(section(markdown, "Не делай").filter((line) => line.startsWith("- "))).toHaveLength(4)
    })

    test("it talks to the reader with «ты», never with a formal «вы»", () => {
      expect(source(id).match(FORMAL)).toBeNull()
    })

    test("the committed PDF is a small PDF with an embedded DejaVu font and a ToUnicode map", () => {
      const path = join(GUIDES_DIR, `${id}.pdf`)
      expect(existsSync(path)).toBe(true)
      expect(statSync(path).size).toBeLessThan(1024 * 1024)
      const text = latin1(committed(id))
      expect(text.startsWith("%PDF-")).toBe(true)
      expect(text).toContain("/FontFile2")
      expect(text).toContain("DejaVu")
      expect(text).toContain("/ToUnicode")
      expect(text).toContain("/Lang (ru)")
      expect(pageCount(committed(id))).toBeGreaterThanOrEqual(1)
      expect(pageCount(committed(id))).toBeLessThanOrEqual(2)
    })

    // Optional: only where poppler-utils is installed (CI images usually lack it).
    test.skipIf(!Bun.which("pdftotext"))("the PDF text extracts back to the Russian source text", () => {
      const run = Bun.spawnSync(["pdftotext", "-enc", "UTF-8", join(GUIDES_DIR, `${id}.pdf`), "-"])
      expect(run.exitCode).toBe(0)
      const text = run.stdout.toString().replaceAll("\u00A0", " ")
      expect(text).toContain(guideMeta(source(id)).title.split(" ")[0]!)
      for (const heading of SECTIONS) expect(text).toContain(heading)
      for (const label of labels) expect(text.replace(/\s+/g, " ")).toContain(label)
    })

    test("rebuilding the source gives exactly the committed PDF (run `bun run guides` after editing)", async () => {
      const rebuilt = await buildGuide(source(id))
      expect(Buffer.from(rebuilt).equals(Buffer.from(committed(id)))).toBe(true)
    })
  })
}

describe("buildGuide", () => {
  const markdown = "# Проба\n\n*Подзаголовок*\n\n## Раздел\n\nТекст с **жирным** и *курсивом*.\n\n- пункт\n"

  test("writes the document info with fixed dates and Author EMCO", async () => {
    const text = latin1(await buildGuide(markdown))
    expect(text).toMatch(/\/Author \d+ 0 R/)
    expect(text).toContain("(EMCO)")
    expect(text).toContain("(D:20260101000000Z)")
  })

  test("is deterministic, and the trailer ID follows the content", async () => {
    const first = await buildGuide(markdown)
    const second = await buildGuide(markdown)
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(true)
    const other = await buildGuide(markdown.replace("пункт", "другой пункт"))
    const id = (pdf: Uint8Array) => latin1(pdf).match(/\/ID \[<([0-9a-f]{32})>/)?.[1]
    expect(id(first)).toMatch(/^[0-9a-f]{32}$/)
    expect(id(first)).not.toBe("0".repeat(32))
    expect(id(other)).not.toBe(id(first))
  })

  test("rejects a source without a title", async () => {
    await expect(buildGuide("## Только раздел\n")).rejects.toThrow("level-1 heading")
  })

  test("typesetting keeps dashes, one-letter words and № with their neighbours", () => {
    const nbsp = (text: string) => typeset(text).replaceAll("\u00A0", "_")
    expect(nbsp("план — это в срок и к маю, № 5")).toBe("план_— это в_срок и_к_маю, №_5")
  })
})
