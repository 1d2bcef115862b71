import { findCase } from "../cases/registry"
import { escapeHtml as e } from "../core/html"
import type { CaseResult } from "../core/views"
import { texts } from "./texts"

export interface AttemptRow {
  readonly caseId: string
  readonly score: number
  readonly covered: ReadonlyArray<string>
  readonly endedAt: Date
}

/** Per case: attempts, best and latest score, the components missed most often. Pure. */
export const summarizeAttempts = (rows: ReadonlyArray<AttemptRow>): CaseResult[] => {
  const byCase = new Map<string, AttemptRow[]>()
  for (const row of rows) byCase.set(row.caseId, [...(byCase.get(row.caseId) ?? []), row])
  return [...byCase].map(([caseId, list]) => {
    const keys = findCase(caseId)?.methodology.components.map((c) => c.key) ?? []
    const latest = list.reduce((a, b) => (b.endedAt > a.endedAt ? b : a))
    const missed = keys
      .map((key) => ({ key, times: list.filter((r) => !r.covered.includes(key)).length }))
      .filter((m) => m.times > 0)
      .sort((a, b) => b.times - a.times)
      .slice(0, 3)
    return {
      caseId,
      attempts: list.length,
      best: Math.max(...list.map((r) => r.score)),
      latest: latest.score,
      missed,
    }
  })
}

/** «📈 Мои результаты» as HTML. */
export const renderResults = (results: ReadonlyArray<CaseResult>): string => {
  if (results.length === 0) return texts.results.empty
  const blocks = results.flatMap((r) => {
    const spec = findCase(r.caseId)
    if (!spec) return []
    const total = spec.methodology.components.length
    const label = (key: string) => spec.methodology.components.find((c) => c.key === key)?.label ?? key
    const missed = r.missed.map((m) => `${e(label(m.key))} (${m.times})`).join(", ")
    return [
      [
        `<b>${e(spec.texts.title)}</b>`,
        texts.results.line(r.attempts, r.best, r.latest, total),
        ...(missed ? [texts.results.missed(missed)] : []),
      ].join("\n"),
    ]
  })
  return [texts.results.title, ...blocks].join("\n\n")
}
