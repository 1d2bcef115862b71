import type { Kysely } from "kysely"
import type { Database } from "../../db/schema"
import { createBroadcast } from "../broadcast/broadcasts.repo"
import { broadcastJobName } from "../broadcast/job"
import { NUDGE_AUDIENCE } from "../core/audience"
import { isoWeek } from "../core/dates"
import { scheduleOneOffJob } from "../scheduler/jobs.repo"
import { JOB_KINDS } from "../scheduler/kinds"
import { nudgeTexts } from "./texts"

/**
 * The weekly tick of the practice reminder: this week's reminder is a broadcast to everyone opted in (created once
 * per week: the week is its request key, so a second tick of the same week adds nothing), delivered by the broadcast
 * job — paced under Telegram's limit, once per person, resumed after a crash.
 */
export const makeNudgeJob =
  (db: Kysely<Database>, timeZone: string, weekOf: () => Date = () => new Date()) =>
  async (): Promise<void> => {
    const week = isoWeek(weekOf().getTime(), timeZone)
    const { broadcast } = await createBroadcast(db, {
      createdBy: 0,
      html: nudgeTexts.broadcastHtml,
      audience: NUDGE_AUDIENCE,
      requestKey: `nudge:${week}`,
    })
    if (broadcast.status !== "scheduled") return
    await scheduleOneOffJob(db, {
      name: broadcastJobName(broadcast.id),
      kind: JOB_KINDS.broadcast,
      runAt: new Date(),
      payload: { broadcastId: broadcast.id },
    })
  }
