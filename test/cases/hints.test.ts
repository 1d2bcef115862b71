import { describe, expect, test } from "bun:test"
import { cases } from "../../src/cases/registry"

describe.each(cases.map((c) => [c.id, c] as const))("«💡 Подсказка» of %s", (_id, spec) => {
  test("every step has a hint said to the learner, not the definition written for the models", () => {
    const keys = spec.methodology.components.map((c) => c.key)
    expect(Object.keys(spec.texts.hints ?? {}).sort()).toEqual([...keys].sort())
    for (const hint of Object.values(spec.texts.hints ?? {})) {
      expect(hint).not.toMatch(/^(Руководитель|Коллега)\b/)
      expect(hint.length).toBeLessThan(200)
    }
  })
})
