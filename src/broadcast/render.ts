import type { BroadcastView } from "../core/audience"
import { button, callbackData } from "../core/callback-data"
import { inline, type Keyboard } from "../core/commands"
import { formatInZone } from "../core/dates"
import { broadcastTexts as t } from "./texts"

/** One broadcast as a few lines: title, status, counts. Shared by the live progress message and /broadcasts. */
export const renderBroadcast = (b: BroadcastView, timeZone: string): string => {
  const status =
    b.status === "scheduled"
      ? t.status.scheduled(t.at(formatInZone(b.sendAt, timeZone), timeZone))
      : t.status[b.status]
  const { total, sent, blocked, failed, pending } = b.counts
  const details = [
    t.counts(sent, total),
    ...(blocked > 0 ? [t.blocked(blocked)] : []),
    ...(failed > 0 ? [t.failed(failed)] : []),
    ...(b.status === "sending" && pending > 0 ? [t.pending(pending)] : []),
  ]
  return `${t.title(b.id, t.audienceNames[b.audience] ?? b.audience)} — ${status}\n${details.join(" · ")}`
}

export const isActive = (b: Pick<BroadcastView, "status">) =>
  b.status === "scheduled" || b.status === "sending"

/** The live progress message's button: stop the broadcast while it can still be stopped. */
export const progressKeyboard = (b: BroadcastView): Keyboard | undefined =>
  isActive(b) ? inline([button(t.buttons.stop(b.id), callbackData.broadcastStop(b.id))]) : undefined
