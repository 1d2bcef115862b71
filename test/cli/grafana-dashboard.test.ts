import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { makeMetrics } from "../../src/services/metrics"

interface Target {
  readonly expr: string
  readonly datasource: { readonly uid: string }
}
interface Panel {
  readonly type: string
  readonly title: string
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number }
  readonly datasource?: { readonly uid: string }
  readonly targets?: ReadonlyArray<Target>
}
interface Dashboard {
  readonly schemaVersion: number
  readonly __inputs: ReadonlyArray<{ readonly name: string; readonly pluginId: string }>
  readonly panels: ReadonlyArray<Panel>
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's import placeholder, not a JS template
const DS_INPUT = "${DS_PROMETHEUS}"
const dashboard = JSON.parse(readFileSync("ops/grafana-dashboard.json", "utf8")) as Dashboard
const panels = dashboard.panels.filter((p) => p.type !== "row")
const targets = panels.flatMap((p) => p.targets ?? [])

// Name → label names, from the same registry the bot exposes (its catalogue plus prom-client's defaults).
const { registry } = makeMetrics()
const catalogue = new Map(
  registry.getMetricsAsArray().map((m) => {
    const { labelNames = [] } = m as unknown as { labelNames?: ReadonlyArray<string> }
    return [m.name, { type: String(m.type), labels: labelNames }] as const
  }),
)

/** The registry metric a series name in an expression belongs to (`x_bucket` → histogram `x`). */
const metricOf = (series: string) => {
  if (catalogue.has(series)) return series
  const base = series.replace(/_(bucket|sum|count)$/, "")
  return catalogue.get(base)?.type === "histogram" ? base : undefined
}
const seriesIn = (expr: string) => expr.match(/\b(bot|process|nodejs)_[a-z0-9_]+\b/g) ?? []

describe("ops/grafana-dashboard.json", () => {
  test("parses; schema 39; every panel and query uses the DS_PROMETHEUS input", () => {
    expect(dashboard.schemaVersion).toBe(39)
    expect(dashboard.__inputs).toContainEqual(
      expect.objectContaining({ name: "DS_PROMETHEUS", pluginId: "prometheus" }),
    )
    expect(panels.length).toBeGreaterThan(10)
    for (const panel of panels) {
      expect(panel.datasource?.uid).toBe(DS_INPUT)
      expect(panel.targets?.length ?? 0).toBeGreaterThan(0)
    }
    for (const target of targets) expect(target.datasource.uid).toBe(DS_INPUT)
  })

  test("every expr references metrics that the registry exports, grouped by labels they have", () => {
    for (const { expr } of targets) {
      const series = seriesIn(expr)
      expect({ expr, series: series.length > 0 }).toEqual({ expr, series: true })
      const metrics = series.map((s) => ({ s, metric: metricOf(s) }))
      expect(metrics.filter((m) => m.metric === undefined)).toEqual([])
      const known = new Set(["le", ...metrics.flatMap((m) => catalogue.get(m.metric!)?.labels ?? [])])
      const grouped = [...expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((m) =>
        m[1]!.split(",").map((l) => l.trim()),
      )
      expect({ expr, unknown: grouped.filter((l) => !known.has(l)) }).toEqual({ expr, unknown: [] })
    }
  })

  test("every bot_* metric of the catalogue has a panel", () => {
    const used = new Set(targets.flatMap((t) => seriesIn(t.expr).map(metricOf)))
    const missing = [...catalogue.keys()].filter((name) => name.startsWith("bot_") && !used.has(name))
    expect(missing).toEqual([])
  })

  test("panels do not overlap on the 24-column grid", () => {
    const all = dashboard.panels.map((p) => ({ title: p.title, ...p.gridPos }))
    for (const [i, a] of all.entries()) {
      expect(a.x + a.w).toBeLessThanOrEqual(24)
      for (const b of all.slice(i + 1)) {
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
        expect({ a: a.title, b: b.title, overlap }).toEqual({ a: a.title, b: b.title, overlap: false })
      }
    }
  })
})
