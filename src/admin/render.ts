import { cases, findCase } from "../cases/registry"
import { formatInZone, zoneLabel } from "../core/dates"
import type { AdminStats, VerdictTrust } from "../core/views"
import { SURVEY_QUESTIONS } from "../survey/reducer"
import { surveyTexts } from "../survey/texts"
import { adminTexts as t } from "./texts"

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

/** One line per registered case, in menu order; a case nobody finished has no average. */
const caseLines = (s: AdminStats) =>
  cases.map((spec) => {
    const started = s.started.find((x) => x.caseId === spec.id)?.count ?? 0
    const outcomes = s.attempts.filter((x) => x.caseId === spec.id)
    const done = outcomes.reduce((sum, x) => sum + x.count, 0)
    const score = s.scores.find((x) => x.caseId === spec.id)
    if (done === 0 || !score) return t.caseNotFinished(spec.texts.title, started)
    const detail = outcomes.map((x) => `${t.outcomes[x.outcome] ?? x.outcome} ${x.count}`).join(", ")
    const line = t.caseLine(
      spec.texts.title,
      started,
      `${done} (${detail})`,
      started > 0 ? Math.min(1, done / started) : 1,
      score.avgScore,
      spec.methodology.components.length,
      mostMissed(spec.id, score.covered),
    )
    return [line, trustLine(spec.id, score.trust)].filter(Boolean).join("\n")
  })

/** The survey's questions by their labels, in the survey's order, with how many answered. */
const surveyLines = (s: AdminStats) => {
  const known = SURVEY_QUESTIONS.map((key, i) => {
    const r = s.ratings.find((x) => x.question === key)
    return r && r.answers > 0
      ? t.surveyLine(surveyTexts.labels[i]!, r.avg, r.answers)
      : t.surveyNone(surveyTexts.labels[i]!)
  })
  const older = s.ratings
    .filter((r) => !(SURVEY_QUESTIONS as ReadonlyArray<string>).includes(r.question))
    .map((r) => t.surveyLine(r.question, r.avg, r.answers))
  return [...known, ...older].join("\n")
}

/** /stats as HTML, dates in `timeZone`. Pure. */
export const renderStats = (s: AdminStats, timeZone: string): string => {
  const roles = s.roles.map((r) => `${t.roleNames[r.role] ?? r.role} — ${r.users}`).join(", ") || "—"
  const comments = s.comments
    .map((c) =>
      t.commentLine(c.comment.slice(0, 200), c.name, c.username, c.userId, formatInZone(c.at, timeZone)),
    )
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
    ...caseLines(s),
    "",
    t.survey(surveyLines(s)),
    ...(comments ? ["", t.comments(comments, zoneLabel(timeZone))] : []),
    ...(ai ? ["", t.ai(ai)] : []),
  ].join("\n")
}
