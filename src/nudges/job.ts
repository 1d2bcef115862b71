import type { Kysely } from "kysely"
import type { Database } from "../../db/schema"
import { createBroadcast } from "../broadcast/broadcasts.repo"
import { broadcastJobName } from "../broadcast/job"
import { NUDGE_AUDIENCE } from "../core/audience"
import { isoWeek } from "../core/dates"
import { scheduleOneOffJob } from "../scheduler/jobs.repo"
import { JOB_KINDS } from "../scheduler/kinds"
import { findUnbookedNudges } from "./nudges.repo"
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
    if (broadcast.status === "scheduled") await bookDelivery(db, broadcast.id)
    await resumeNudges(db)
  }

const bookDelivery = (db: Kysely<Database>, broadcastId: number) =>
  scheduleOneOffJob(db, {
    name: broadcastJobName(broadcastId),
    kind: JOB_KINDS.broadcast,
    runAt: new Date(),
    payload: { broadcastId },
  })

/**
 * Books the delivery of a reminder whose weekly tick died between creating it and booking its job (run by every tick
 * and by the nightly retention), so that week's reminder still goes out.
 */
export const resumeNudges = async (db: Kysely<Database>): Promise<void> => {
  for (const id of await findUnbookedNudges(db)) await bookDelivery(db, id)
}
