import { findCase } from "../cases/registry"
import { escapeHtml as e } from "../core/html"
import type { AdminStats, VerdictTrust } from "../core/views"
import { adminTexts as t } from "./texts"

const title = (caseId: string) => findCase(caseId)?.texts.title ?? caseId

/** The component most often missed over a case's attempts, by its label. Pure. */
export const mostMissed = (caseId: string, covered: ReadonlyArray<ReadonlyArray<string>>): string => {
  const components = findCase(caseId)?.methodology.components ?? []
  const ranked = components
    .map((c) => ({ label: c.label, missed: covered.filter((list) => !list.includes(c.key)).length }))
    .filter((c) => c.missed > 0)
    .sort((a, b) => b.missed - a.missed)
  return ranked[0]?.label ?? ""
}

/** How often the case's steps were «спорно» and its quotes failed the check; empty before the first review. */
const trustLine = (caseId: string, trust: VerdictTrust): string => {
  const steps = trust.reviewed * (findCase(caseId)?.methodology.components.length ?? 0)
  if (steps === 0 && trust.quotesProposed === 0) return ""
  return t.trustLine(trust.disputedSteps, steps, trust.quotesUnverified, trust.quotesProposed)
}

/** /stats as HTML. Pure. */
export const renderStats = (s: AdminStats): string => {
  const roles = s.roles.map((r) => `${t.roleNames[r.role] ?? r.role} — ${r.users}`).join(", ") || "—"
  const caseIds = [...new Set([...s.started.map((x) => x.caseId), ...s.attempts.map((x) => x.caseId)])]
  const cases = caseIds.map((caseId) => {
    const started = s.started.find((x) => x.caseId === caseId)?.count ?? 0
    const outcomes = s.attempts.filter((x) => x.caseId === caseId)
    const done = outcomes.reduce((sum, x) => sum + x.count, 0)
    const detail = outcomes.map((x) => `${t.outcomes[x.outcome] ?? x.outcome} ${x.count}`).join(", ")
    const score = s.scores.find((x) => x.caseId === caseId)
    const line = t.caseLine(
      title(caseId),
      started,
      detail ? `${done} (${detail})` : "0",
      started > 0 ? done / started : 0,
      score?.avgScore ?? 0,
      score ? mostMissed(caseId, score.covered) : "",
    )
    return score ? [line, trustLine(caseId, score.trust)].filter(Boolean).join("\n") : line
  })
  const survey = s.ratings.map((r) => `${e(r.question)}: ${r.avg.toFixed(2)} (${r.answers})`).join("\n")
  const comments = s.comments
    .map((c) => `• «${e(c.comment.slice(0, 200))}» — <code>${c.userId}</code>`)
    .join("\n")
  const ai = s.ai
    .map((a) => t.aiLine(a.provider, a.calls, a.errors, a.inputTokens, a.outputTokens))
    .join("\n")
  return [
    t.statsTitle,
    "",
    t.users(roles),
    t.active(s.active7, s.active30),
    "",
    ...cases,
    "",
    survey ? t.survey(survey) : t.noSurvey,
    ...(comments ? ["", t.comments(comments)] : []),
    ...(ai ? ["", t.ai(ai)] : []),
  ].join("\n")
}
