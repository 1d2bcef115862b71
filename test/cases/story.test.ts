import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { guideSource } from "../../scripts/build-guides"
import { cases } from "../../src/cases/registry"
import { visibleText } from "../../src/core/html"

// What earlier guides said that the cases do not: kept out for good.
const FOREIGN: Record<string, ReadonlyArray<string>> = {
  fb_employee: ["четверг", "шланг"],
  fb_peer: ["вес груза", "накладной № 418"],
  career_dialog: ["гидравлик", "насосн", "гидросистем"],
}

const personaPrompt = (id: string) =>
  readFileSync(join(import.meta.dir, "../../src/cases", id.replace(/_/g, "-"), "prompts/persona.md"), "utf8")

describe.each(cases.map((c) => [c.id, c] as const))("one story per case: %s", (id, spec) => {
  const card = visibleText(spec.texts.description)
  const algorithm = visibleText(spec.texts.algorithm)
  const guide = guideSource(id)

  test("the card, the persona's prompt and the guide name the same person and situation", () => {
    expect(spec.story.facts.length).toBeGreaterThan(2)
    for (const fact of spec.story.facts)
      for (const [where, text] of [
        ["card", card],
        ["persona prompt", personaPrompt(id)],
        ["guide", guide],
      ] as const)
        expect({ fact, where, found: text.includes(fact) }).toEqual({ fact, where, found: true })
  })

  test("the card's example for each step is the guide's example for it", () => {
    expect(spec.story.examples).toHaveLength(spec.methodology.components.length)
    spec.methodology.components.forEach((c, i) => {
      const example = spec.story.examples[i]!
      expect(algorithm).toContain(`«${example}»`)
      expect(guide).toContain(`**${c.letter} — ${c.label}:** «${example}»`)
    })
  })

  test("the card and the guide close the conversation with the same words; the sample conversation ends with them", () => {
    expect(algorithm).toContain(`«${spec.story.closing}»`)
    expect(guide).toContain(`«${spec.story.closing}»`)
    const last = spec.story.dialogue.at(-1)!
    expect(last.who).toBe("learner")
    expect(last.line).toContain(spec.story.closing)
  })

  test("the guide's sample conversation is between the case's own speakers, with the case's story", () => {
    const speakers = [...guide.matchAll(/^> \*\*(.+?):\*\*/gm)].map((m) => m[1])
    expect(new Set(speakers)).toEqual(new Set([spec.texts.learnerLabel, spec.persona.name]))
    for (const { line } of spec.story.dialogue) expect(guide).toContain(line)
    expect(guide).not.toContain("{{")
  })

  test("nothing from another story", () => {
    for (const word of FOREIGN[id] ?? [])
      for (const text of [card, algorithm, guide]) expect(text.toLowerCase()).not.toContain(word)
  })
})
