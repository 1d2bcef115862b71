import { cases } from "../cases/registry"
import { button, callbackData } from "../core/callback-data"
import { inline, type Keyboard } from "../core/commands"
import type { AttemptSummary } from "../core/views"
import { stepShares } from "../nav/progress"
import { nudgeTexts as t } from "./texts"

/**
 * The reminder for one learner: the weakest step over the cases they tried (lowest weighted share; on a tie the
 * case tried most recently) with a button that starts that case; someone who tried nothing yet is invited to
 * start, someone who showed every step lately to try another case or level. Pure. `attempts` newest first.
 */
export const nudgeMessage = (
  attempts: ReadonlyArray<AttemptSummary>,
): { html: string; keyboard: Keyboard } => {
  const off = [button(t.turnOff, callbackData.nudges(false))]
  const candidates = cases.flatMap((spec) => {
    const history = attempts.filter((a) => a.caseId === spec.id).map((a) => a.covered)
    if (history.length === 0) return []
    const latest = attempts.findIndex((a) => a.caseId === spec.id)
    return stepShares(spec, history)
      .filter((s) => s.share < 1)
      .map((s) => ({ spec, component: s.component, share: s.share, latest }))
  })
  const weakest = candidates.reduce<(typeof candidates)[number] | undefined>(
    (best, c) =>
      !best || c.share < best.share || (c.share === best.share && c.latest < best.latest) ? c : best,
    undefined,
  )
  if (!weakest) {
    const html = attempts.length === 0 ? t.start : t.allShown
    return { html, keyboard: inline([button(t.menu, callbackData.nav("menu"))], off) }
  }
  return {
    html: t.weakest(weakest.component.label, weakest.spec.texts.title),
    keyboard: inline(
      [button(t.practise(weakest.component.label), callbackData.caseAction(weakest.spec.id, "start"))],
      off,
    ),
  }
}
