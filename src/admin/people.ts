import { cases } from "../cases/registry"
import { button, callbackData } from "../core/callback-data"
import { inline, type Keyboard } from "../core/commands"
import { dateInZone, formatInZone, readableDay, zoneLabel } from "../core/dates"
import type { AttemptSummary, LastActive, UserCard, UserSummary } from "../core/views"
import { stepShares, weakestStep } from "../nav/progress"
import { SURVEY_QUESTIONS } from "../survey/reducer"
import { surveyTexts } from "../survey/texts"
import { adminTexts as t } from "./texts"
import { USERS_PAGE } from "./users.repo"

/** «05.12.2026 18:30», or the day only once the inbox no longer holds the time, or «—». */
export const lastActiveText = (last: LastActive, timeZone: string): string => {
  if (last.at !== null) return formatInZone(last.at, timeZone)
  if (last.day !== null) return readableDay(last.day)
  return "—"
}

export const roleName = (role: string | null, revoked = false): string =>
  (role === null ? (revoked ? t.roleLabels.revoked : t.roleLabels.none) : t.roleLabels[role]) ?? role ?? "—"

/** /users: a page of users, a button to each one's card, paging through everyone; times in the zone. Pure. */
export const renderUsers = (
  page: { users: ReadonlyArray<UserSummary>; total: number; query: string; page: number },
  timeZone: string,
): { html: string; keyboard: Keyboard } => {
  const menu = [button(t.buttons.adminMenu, callbackData.admin("menu"))]
  if (page.total === 0)
    return {
      html: page.query.trim() === "" ? t.usersEmpty : t.usersNoMatch(page.query.trim()),
      keyboard: inline(menu),
    }
  const from = page.page * USERS_PAGE + 1
  const searching = page.query.trim() !== ""
  const lines = page.users.map((u) =>
    t.userLine(u.userId, u.firstName, u.username, roleName(u.role), lastActiveText(u.lastActive, timeZone)),
  )
  const buttons = page.users.map((u) => [
    button(
      t.userButton(u.userId, u.firstName, u.username),
      callbackData.userCard(u.userId, searching ? 0 : page.page),
    ),
  ])
  const more = from - 1 + page.users.length < page.total
  // Paging walks everyone; a search too wide for one page is narrowed instead (its text does not fit a button).
  const paging = searching
    ? []
    : [
        ...(page.page > 0 ? [button(t.buttons.prevUsers, callbackData.usersPage(page.page - 1))] : []),
        ...(more ? [button(t.buttons.nextUsers, callbackData.usersPage(page.page + 1))] : []),
      ]
  const html = [
    t.usersTitle(page.total, from, from - 1 + page.users.length, zoneLabel(timeZone)),
    ...lines,
    "",
    searching && more ? t.usersNarrow : t.usersHint,
  ].join("\n")
  return { html, keyboard: inline(...buttons, ...(paging.length > 0 ? [paging] : []), menu) }
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

/** An admin's card of one user; «back» shows the /users page it was opened from in its place. Pure. */
export const renderUserCard = (
  card: UserCard | null,
  userId: number,
  timeZone: string,
  page = 0,
): { html: string; keyboard: Keyboard } => {
  const back = inline([button(t.buttons.backToUsers, callbackData.usersPage(page))])
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
