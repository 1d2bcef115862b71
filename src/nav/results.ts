import { cases, findCase } from "../cases/registry"
import { button, callbackData } from "../core/callback-data"
import { inline, type Keyboard } from "../core/commands"
import { dateInZone, formatInZone, zoneLabel } from "../core/dates"
import type { AttemptSummary } from "../core/views"
import { historyTexts as t } from "./history-texts"
import { stepShares, weakestStep } from "./progress"
import { texts } from "./texts"

/** Attempts listed per page of «📈 Мои результаты». */
export const PAGE_SIZE = 5

const BAR = 5
const bar = (share: number) => "▰".repeat(Math.round(share * BAR)) + "▱".repeat(BAR - Math.round(share * BAR))

/** Covered steps per attempt of a case, newest first. */
const historyOf = (attempts: ReadonlyArray<AttemptSummary>, caseId: string) =>
  attempts.filter((a) => a.caseId === caseId).map((a) => a.covered)

/** Per tried case: how often each step was shown (recent attempts weigh more) and the weakest one. */
const progressBlocks = (attempts: ReadonlyArray<AttemptSummary>) =>
  cases.flatMap((spec) => {
    const history = historyOf(attempts, spec.id)
    if (history.length === 0) return []
    const weakest = weakestStep(spec, history)
    const lines = stepShares(spec, history).map((s) =>
      t.stepLine(s.component.label, Math.round(s.share * 100), bar(s.share)),
    )
    const total = spec.methodology.components.length
    const best = Math.max(...history.map((covered) => covered.length))
    const header = t.caseHeader(spec.texts.title, history.length, best, history[0]!.length, total)
    return [[header, ...lines, ...(weakest ? [t.weakest(weakest.label)] : [])].join("\n")]
  })

/** The results page `page` (0: with the progress per step) as HTML and its buttons. Pure. */
export const renderResults = (
  attempts: ReadonlyArray<AttemptSummary>,
  requestedPage: number,
  timeZone: string,
): { readonly html: string; readonly keyboard: Keyboard } => {
  const untried = cases.filter((c) => !attempts.some((a) => a.caseId === c.id))
  const startRows = untried.map((c) => [
    button(t.buttons.start(c.texts.title), callbackData.caseAction(c.id, "start")),
  ])
  const menuRow = [button(texts.buttons.menu, callbackData.nav("menu"))]
  if (attempts.length === 0) return { html: t.empty, keyboard: inline(...startRows, menuRow) }

  const pages = Math.ceil(attempts.length / PAGE_SIZE)
  const page = Math.min(Math.max(0, requestedPage), pages - 1)
  const shown = attempts.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE)
  const zone = zoneLabel(timeZone)
  const list = shown.map((a) => {
    const spec = findCase(a.caseId)
    const total = spec?.methodology.components.length ?? a.covered.length
    return t.listLine(
      a.number,
      spec?.texts.title ?? a.caseId,
      formatInZone(a.endedAt, timeZone),
      a.covered.length,
      total,
      a.level,
    )
  })
  const first = page === 0
  const html = [
    t.title,
    ...(first ? [...progressBlocks(attempts), t.progressNote] : []),
    ...(first && untried.length > 0 ? [t.untried(untried.map((c) => c.texts.title))] : []),
    [t.listHeader(page + 1, pages, attempts.length, zone), ...list].join("\n"),
  ].join("\n\n")

  const openRows = shown.map((a) => [
    button(
      t.buttons.open(
        a.number,
        dateInZone(a.endedAt, timeZone).slice(0, 5),
        findCase(a.caseId)?.texts.title ?? a.caseId,
      ),
      callbackData.attempt(a.id, false, page),
    ),
  ])
  const paging = [
    ...(page > 0 ? [button(t.buttons.newer, callbackData.history(page - 1))] : []),
    ...(page < pages - 1 ? [button(t.buttons.older, callbackData.history(page + 1))] : []),
  ]
  const practise = first
    ? cases.flatMap((spec) => {
        const weakest = weakestStep(spec, historyOf(attempts, spec.id))
        return weakest
          ? [
              [
                button(
                  t.buttons.practise(weakest.label, spec.texts.title),
                  callbackData.caseAction(spec.id, "start"),
                ),
              ],
            ]
          : []
      })
    : []
  const rows = [
    ...openRows,
    ...(paging.length > 0 ? [paging] : []),
    ...practise,
    ...(first ? startRows : []),
    menuRow,
  ]
  return { html, keyboard: inline(...rows) }
}
