import { findCase } from "../cases/registry"
import { escapeHtml } from "../core/html"
import type { AdminStats } from "../core/views"
import { adminTexts as t } from "./texts"

const OUTCOMES = ["completed", "out_of_moves", "manual"] as const
const COLORS = { completed: "#2f855a", out_of_moves: "#c05621", manual: "#2b6cb0" }

/**
 * Attempts per case as stacked bars by outcome, as SVG (rendered to PNG by the charts service). Pure; the font is
 * the embedded DejaVu Sans, so Cyrillic renders the same everywhere.
 */
export const statsChartSvg = (s: AdminStats): string => {
  const width = 900
  const height = 520
  const caseIds = [...new Set(s.attempts.map((a) => a.caseId))]
  const count = (caseId: string, outcome: string) =>
    s.attempts.find((a) => a.caseId === caseId && a.outcome === outcome)?.count ?? 0
  const totals = caseIds.map((id) => OUTCOMES.reduce((sum, o) => sum + count(id, o), 0))
  const max = Math.max(1, ...totals)
  const plot = { left: 60, right: width - 30, top: 70, bottom: height - 110 }
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
    const label = escapeHtml((findCase(id)?.texts.title ?? id).replace(/^[^\p{L}\p{N}]+/u, ""))
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
    ...bars,
    ...legend,
    "</svg>",
  ].join("")
}
