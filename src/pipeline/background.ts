import { Context, type Effect } from "effect"
import type { Feedback } from "../app/model"
import type { Origin } from "./decode"
import type { Deps } from "./stage"

/**
 * Long-running commands (AI calls) run here, off the chat's lease: the chat keeps answering buttons while the
 * persona thinks. The result comes back as a feedback event queued behind the chat's pending updates.
 */
export interface BackgroundShape {
  /** `work` runs with the app's services; it never fails (failures are feedback events too). */
  readonly run: (
    chatId: number,
    origin: Origin,
    work: Effect.Effect<Feedback, never, Deps>,
  ) => Effect.Effect<void>
}

export class Background extends Context.Service<Background, BackgroundShape>()("emco/Background") {}
