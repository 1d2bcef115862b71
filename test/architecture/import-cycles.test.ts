import { describe, expect, test } from "bun:test"
import { importCycles, importGraph } from "../support/import-graph"

describe("src has no import cycle", () => {
  const graph = importGraph()
  test("the graph is read (every module of src, with its imports)", () => {
    expect(graph.size).toBeGreaterThan(100)
    expect(graph.get("app/reducer.ts")).toContain("core/session.ts")
  })
  test("no strongly connected component of more than one module (type-only imports count)", () => {
    expect(importCycles(graph)).toEqual([])
  })
  test("a cycle is found when there is one", () => {
    const looped = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
      ["d.ts", ["a.ts"]],
    ])
    expect(importCycles(looped)).toEqual([["a.ts", "b.ts", "c.ts"]])
  })
})
