import { describe, expect, test } from "bun:test"
import { createBroadcast } from "../../src/broadcast/broadcasts.repo"
import { NUDGE_AUDIENCE } from "../../src/core/audience"
import { resumeNudges } from "../../src/nudges/job"
import { findJob } from "../../src/scheduler/jobs.repo"
import { useRepositoryDatabase } from "../repositories/database"
import { backends } from "../support/database"

describe.each(backends)("a weekly tick that died half-way (%s)", (backend) => {
  const db = useRepositoryDatabase(backend)

  test("a reminder created without its delivery job is booked by the next tick or the nightly clean-up, once", async () => {
    const { broadcast } = await createBroadcast(db(), {
      createdBy: 0,
      html: "x",
      audience: NUDGE_AUDIENCE,
      requestKey: "nudge:test-week",
    })
    expect(await findJob(db(), `broadcast:${broadcast.id}`)).toBeUndefined()
    await resumeNudges(db())
    const booked = await findJob(db(), `broadcast:${broadcast.id}`)
    expect(booked).toMatchObject({ kind: "broadcast", payload: { broadcastId: broadcast.id }, enabled: true })
    await resumeNudges(db())
    const jobs = await db()
      .selectFrom("scheduled_jobs")
      .select("name")
      .where("name", "like", "broadcast:%")
      .execute()
    expect(jobs).toEqual([{ name: `broadcast:${broadcast.id}` }])
    // An admin's broadcast is never touched by it.
    const admin = await createBroadcast(db(), { createdBy: 1, html: "y", audience: "all" })
    await resumeNudges(db())
    expect(await findJob(db(), `broadcast:${admin.broadcast.id}`)).toBeUndefined()
  })
})
