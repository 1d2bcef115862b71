import { describe, expect, test } from "bun:test"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"

const root = join(import.meta.dir, "../..")
const read = (file: string) => readFileSync(join(root, file), "utf8")
const docs = readdirSync(join(root, "docs"))
  .filter((f) => f.endsWith(".md"))
  .map((f) => `docs/${f}`)

/** Local links of a markdown file (no web addresses), with the file they resolve to and their #anchor. */
const localLinks = (file: string) =>
  [...read(file).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? "")
    .filter((href) => !/^[a-z]+:/.test(href))
    .map((href) => {
      const [path = "", anchor] = href.split("#")
      return { href, target: path === "" ? file : join(dirname(file), path), anchor }
    })

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
const anchorsOf = (file: string) =>
  new Set(
    [...read(file).matchAll(/^#+ (.+)$/gm)].map((m) =>
      (m[1] ?? "")
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, "")
        .replace(/ /g, "-"),
    ),
  )

describe("README for users and operators; the rest in docs/", () => {
  test("README is at most 200 lines", () => {
    expect(read("README.md").split("\n").length - 1).toBeLessThanOrEqual(200)
  })

  test("README links every file of docs/", () => {
    const linked = new Set(localLinks("README.md").map((l) => l.target))
    expect(docs.filter((doc) => !linked.has(doc))).toEqual([])
  })

  for (const file of ["README.md", ...docs])
    test(`${file}: every local link and anchor resolves`, () => {
      const broken = localLinks(file).filter(
        ({ target, anchor }) =>
          !existsSync(join(root, target)) ||
          (anchor !== undefined && target.endsWith(".md") && !anchorsOf(target).has(anchor)),
      )
      expect(broken.map((l) => l.href)).toEqual([])
    })
})
