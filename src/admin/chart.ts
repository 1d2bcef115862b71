import { cases } from "../cases/registry"
import { escapeHtml } from "../core/html"
import { plainTitle } from "../core/texts"
import type { AdminStats } from "../core/views"
import { adminTexts as t } from "./texts"

const OUTCOMES = ["completed", "out_of_moves", "manual"] as const
const COLORS = { completed: "#2f855a", out_of_moves: "#c05621", manual: "#2b6cb0" }

/** A tick step of 1, 2 or 5 × 10ⁿ giving at most five ticks up to `top`. */
const niceStep = (top: number) => {
  const raw = top / 5
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(1, raw)))
  return [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude
}

/** The vertical axis: its line, a labelled tick with a faint grid line every `step`, and its title. */
const yAxis = (
  plot: { left: number; right: number; top: number; bottom: number },
  max: number,
  step: number,
) => {
  const ticks = Array.from({ length: Math.round(max / step) + 1 }, (_, i) => i * step)
  const yOf = (v: number) => plot.bottom - ((plot.bottom - plot.top) * v) / max
  return [
    `<line x1="${plot.left}" y1="${plot.top}" x2="${plot.left}" y2="${plot.bottom}" stroke="#4a5568"/>`,
    ...ticks.flatMap((v) => [
      `<line x1="${plot.left - 6}" y1="${yOf(v)}" x2="${plot.right}" y2="${yOf(v)}" stroke="#edf2f7"/>`,
      `<text x="${plot.left - 10}" y="${yOf(v) + 5}" text-anchor="end" font-size="14">${v}</text>`,
    ]),
    `<text x="${plot.left - 55}" y="${(plot.top + plot.bottom) / 2}" font-size="15" transform="rotate(-90 ${plot.left - 55} ${(plot.top + plot.bottom) / 2})" text-anchor="middle">${escapeHtml(t.chartAxis)}</text>`,
  ]
}

/**
 * Attempts per case as stacked bars by outcome, as SVG (rendered to PNG by the charts service). Pure; the font is
 * the embedded DejaVu Sans, so Cyrillic renders the same everywhere.
 */
export const statsChartSvg = (s: AdminStats): string => {
  const width = 900
  const height = 520
  // Every case, tried or not: a missing bar would read as «no such case».
  const caseIds = cases.map((c) => c.id)
  const count = (caseId: string, outcome: string) =>
    s.attempts.find((a) => a.caseId === caseId && a.outcome === outcome)?.count ?? 0
  const totals = caseIds.map((id) => OUTCOMES.reduce((sum, o) => sum + count(id, o), 0))
  const step = niceStep(Math.max(1, ...totals))
  const max = step * Math.ceil(Math.max(1, ...totals) / step)
  const plot = { left: 80, right: width - 30, top: 70, bottom: height - 110 }
  const slot = (plot.right - plot.left) / Math.max(1, caseIds.length)
  const bars = caseIds.flatMap((id, i) => {
    let y = plot.bottom
    const x = plot.left + i * slot + slot * 0.2
    const w = slot * 0.6
    const parts = OUTCOMES.map((o) => {
      const h = ((plot.bottom - plot.top) * count(id, o)) / max
      y -= h
      return h > 0 ? `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${COLORS[o]}"/>` : ""
    })
    const label = escapeHtml(plainTitle(cases.find((c) => c.id === id)?.texts.title ?? id))
    return [
      ...parts,
      `<text x="${x + w / 2}" y="${y - 8}" text-anchor="middle" font-size="18">${totals[i]}</text>`,
      `<text x="${x + w / 2}" y="${plot.bottom + 28}" text-anchor="middle" font-size="16">${label}</text>`,
    ]
  })
  const legend = OUTCOMES.map(
    (o, i) =>
      `<rect x="${plot.left + i * 250}" y="${height - 50}" width="18" height="18" fill="${COLORS[o]}"/>` +
      `<text x="${plot.left + i * 250 + 26}" y="${height - 36}" font-size="16">${escapeHtml(t.outcomes[o] ?? o)}</text>`,
  )
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${plot.left}" y="40" font-size="26" font-weight="bold" fill="#1a365d">${escapeHtml(t.chartTitle)}</text>`,
    `<line x1="${plot.left}" y1="${plot.bottom}" x2="${plot.right}" y2="${plot.bottom}" stroke="#a0aec0"/>`,
    ...yAxis(plot, max, step),
    ...bars,
    ...legend,
    "</svg>",
  ].join("")
}
