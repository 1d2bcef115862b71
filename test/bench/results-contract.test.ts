import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { render } from "../../bench/report"

// What issue 17 asks `bun run bench` to leave in bench/results.json, and bench/RESULTS.md to say about it. The
// numbers themselves are the machine's; these tests only hold the fields and the verdicts to their targets.
const committed = JSON.parse(readFileSync(new URL("../../bench/results.json", import.meta.url), "utf8"))

const isNumber = (x: unknown) => typeof x === "number" && Number.isFinite(x)

describe("bench/results.json", () => {
  test("holds p1's ratios and p99, and p5's first-start peak and idle memory, as numbers", () => {
    for (const field of ["vsSessionBot", "vsMinimalDurable", "p99Ms"])
      expect(isNumber(committed.p1[field])).toBe(true)
    for (const field of ["firstStartPeakMiB", "idleMiB"]) expect(isNumber(committed.p5[field])).toBe(true)
  })

  test("RESULTS.md is rendered from it, every target with its verdict", () => {
    const report = render(committed)
    expect(report).toContain(`**${committed.p1.vsSessionBot}×** (target ≥ 1.0)`)
    expect(report).toContain(`**${committed.p1.vsMinimalDurable}×** (target ≥ 0.6)`)
    expect(report).toContain(`**${committed.p1.p99Ms} ms** (target ≤ 10 ms)`)
    expect(report).toContain(`**${committed.p5.firstStartPeakMiB} MiB** (target ≤ 300)`)
    expect(report).toContain(`**${committed.p5.idleMiB} MiB** (target ≤ 200)`)
  })
})

describe("a verdict follows its number, not the run", () => {
  const withP1 = (vsSessionBot: number, vsMinimalDurable: number, p99Ms: number) =>
    render({ ...committed, p1: { ...committed.p1, vsSessionBot, vsMinimalDurable, p99Ms } })

  test("met targets are marked met", () => {
    const report = withP1(1, 0.6, 10)
    expect(report).toContain("**1×** (target ≥ 1.0) ✅")
    expect(report).toContain("**0.6×** (target ≥ 0.6) ✅")
    expect(report).toContain("**10 ms** (target ≤ 10 ms) ✅")
  })

  test("missed targets are marked missed", () => {
    const report = withP1(0.99, 0.59, 11)
    expect(report).toContain("**0.99×** (target ≥ 1.0) ❌")
    expect(report).toContain("**0.59×** (target ≥ 0.6) ❌")
    expect(report).toContain("**11 ms** (target ≤ 10 ms) ❌")
  })
})
