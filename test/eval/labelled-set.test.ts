import { describe, expect, test } from "bun:test"
import { loadCaseSet, MINIMUM, setProblems } from "../../eval/harness/labels"
import { cases } from "../../src/cases/registry"

/** The labelled set `bun run eval` measures against holds what the README promises, for every case. */
describe.each(cases.map((c) => [c.id, c] as const))("the labelled eval set of %s", (_, spec) => {
  test("loads (valid JSON, known tags) and meets every minimum: counts, steps, near misses, injections", async () => {
    const set = await loadCaseSet("eval/cases", spec.id)
    expect(setProblems(spec, set)).toEqual([])
    expect(set.lines.length).toBeGreaterThanOrEqual(MINIMUM.lines)
    expect(set.dialogues.length).toBeGreaterThanOrEqual(MINIMUM.dialogues)
  })

  test("every injected twin differs from its clean dialogue in its learner's words only", async () => {
    const set = await loadCaseSet("eval/cases", spec.id)
    for (const d of set.dialogues) {
      expect(d.injected.turns.map((t) => t.persona)).toEqual(d.turns.map((t) => t.persona))
      expect(d.injected.turns.map((t) => t.learner)).not.toEqual(d.turns.map((t) => t.learner))
    }
  })
})
