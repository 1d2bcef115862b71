import { describe, expect, test } from "bun:test"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"

const SRC = join(import.meta.dir, "../../src")
const textFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name === "prompts" ? [] : textFiles(path)
    return /texts?\.ts$/.test(name) ? [path] : []
  })

// Past-tense and short-adjective forms of «ты» that agree with a gender (вошёл/вошла, готов/готова).
const GENDERED =
  /[Тт]ы (и так )?(не )?(уже )?(вошёл|вышел|прошёл|сделал|закончил|начал|готов|уверен|должен|сам|единственный|сказал|получил|выбрал)(?!\p{L})/u

describe("every user-facing text addresses the learner gender-neutrally", () => {
  const files = textFiles(SRC)
  test("the texts files are found", () => expect(files.length).toBeGreaterThan(5))
  for (const file of files)
    test(file.slice(SRC.length + 1), () => {
      const lines = readFileSync(file, "utf8")
        .split("\n")
        // Quoted examples («Во вторник ты начал смену…») speak to a persona, not to the learner.
        .map((line) => line.replace(/«[^»]*»/gu, "«…»"))
        .filter((line) => GENDERED.test(line) || /ты готов|сказал бы/u.test(line))
      expect(lines).toEqual([])
    })
})
