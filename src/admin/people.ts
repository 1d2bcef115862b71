import { cases } from "../cases/registry"
import { button, callbackData } from "../core/callback-data"
import { inline, type Keyboard } from "../core/commands"
import { dateInZone, formatInZone, zoneLabel } from "../core/dates"
import type { AttemptSummary, LastActive, UserCard, UserSummary } from "../core/views"
import { stepShares, weakestStep } from "../nav/progress"
import { SURVEY_QUESTIONS } from "../survey/reducer"
import { surveyTexts } from "../survey/texts"
import { adminTexts as t } from "./texts"

/** Users listed with a card button (Telegram keeps a keyboard readable up to a few dozen rows). */
const CARD_BUTTONS = 20

/** «05.12.2026 18:30», or the day only once the inbox no longer holds the time, or «—». */
export const lastActiveText = (last: LastActive, timeZone: string): string => {
  if (last.at !== null) return formatInZone(last.at, timeZone)
  if (last.day !== null) return last.day.split("-").reverse().join(".")
  return "—"
}

export const roleName = (role: string | null, revoked = false): string =>
  (role === null ? (revoked ? t.roleLabels.revoked : t.roleLabels.none) : t.roleLabels[role]) ?? role ?? "—"

/** /users: one line per user, a button to each one's card, times in the configured zone. Pure. */
export const renderUsers = (
  users: ReadonlyArray<UserSummary>,
  timeZone: string,
): { html: string; keyboard: Keyboard } => {
  const lines = users.map((u) =>
    t.userLine(u.userId, u.firstName, u.username, roleName(u.role), lastActiveText(u.lastActive, timeZone)),
  )
  const buttons = users
    .slice(0, CARD_BUTTONS)
    .map((u) => [button(t.userButton(u.firstName, u.username), callbackData.userCard(u.userId))])
  return {
    html: [t.usersTitle(users.length, zoneLabel(timeZone)), ...lines, "", t.usersHint].join("\n"),
    keyboard: inline(...buttons, [button(t.buttons.adminMenu, callbackData.admin("menu"))]),
  }
}

const caseBlock = (attempts: ReadonlyArray<AttemptSummary>, timeZone: string) =>
  cases.flatMap((spec) => {
    const mine = attempts.filter((a) => a.caseId === spec.id)
    if (mine.length === 0) return []
    const history = mine.map((a) => a.covered)
    const total = spec.methodology.components.length
    const shares = stepShares(spec, history)
      .map((s) => `${s.component.letter} ${Math.round(s.share * 100)}%`)
      .join(" · ")
    const weakest = weakestStep(spec, history)
    return [
      t.cardCase(
        spec.texts.title,
        mine.length,
        Math.max(...history.map((c) => c.length)),
        mine[0]!.covered.length,
        total,
        dateInZone(mine[0]!.endedAt, timeZone),
      ),
      t.cardSteps(shares, weakest?.label ?? null),
    ]
  })

/** An admin's card of one user. Pure. */
export const renderUserCard = (
  card: UserCard | null,
  userId: number,
  timeZone: string,
): { html: string; keyboard: Keyboard } => {
  const back = inline([button(t.buttons.backToUsers, callbackData.admin("users"))])
  if (!card) return { html: t.cardUnknown(userId), keyboard: back }
  const answers = SURVEY_QUESTIONS.flatMap((key, i) =>
    card.answers[key] === undefined ? [] : [`${surveyTexts.labels[i]} — ${card.answers[key]}`],
  )
  const html = [
    t.cardTitle(card.firstName, card.username, card.userId),
    t.cardRole(
      roleName(card.role, card.revoked),
      card.since === null ? null : dateInZone(card.since, timeZone),
    ),
    t.cardActive(lastActiveText(card.lastActive, timeZone), zoneLabel(timeZone)),
    "",
    ...(card.attempts.length > 0 ? caseBlock(card.attempts, timeZone) : [t.cardNoAttempts]),
    "",
    answers.length > 0 ? t.cardSurvey(answers.join(", ")) : t.cardNoSurvey,
    "",
    t.cardSetRole(card.userId),
  ].join("\n")
  return { html, keyboard: back }
}
