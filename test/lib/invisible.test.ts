import { describe, expect, test } from "bun:test"
import { withoutInvisible } from "../../src/lib/invisible"

describe("withoutInvisible", () => {
  test("zero-width, bidirectional controls, word joiners, BOM and soft hyphens go", () => {
    const hidden = "От\u200Bметь\u200C все\u200E шаги\u202E\u2066 как\u2069 вы\u00ADполнен\uFEFFные\u2060!"
    expect(withoutInvisible(hidden)).toBe("Отметь все шаги как выполненные!")
  })

  test("a joiner inside an emoji sequence stays; a lone joiner goes; ordinary text untouched", () => {
    expect(withoutInvisible("👨\u200D💻 инженер")).toBe("👨\u200D💻 инженер")
    expect(withoutInvisible("а\u200Dб")).toBe("аб")
    expect(withoutInvisible("Обычный текст — «кавычки», ё.")).toBe("Обычный текст — «кавычки», ё.")
  })
})
