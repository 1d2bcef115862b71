import { beforeEach, describe, expect, test } from "bun:test"
import { sql } from "kysely"
import { createBroadcast } from "../../src/broadcast/broadcasts.repo"
import { broadcastJobName, makeBroadcastJob } from "../../src/broadcast/job"
import { findJob, scheduleOneOffJob } from "../../src/scheduler/jobs.repo"
import { JOB_KINDS } from "../../src/scheduler/kinds"
import { useRepositoryDatabase } from "../repositories/database"
import { backends } from "../support/database"
import { addUsers, clearBroadcasts, range } from "./support"

for (const backend of backends) {
  describe(`broadcast job (${backend})`, () => {
    const db = useRepositoryDatabase(backend)
    beforeEach(async () => {
      await clearBroadcasts(db())
      await sql`delete from scheduled_jobs`.execute(db())
    })

    const setUp = async () => {
      await addUsers(db(), range(9_000_001, 3))
      const { broadcast } = await createBroadcast(db(), {
        createdBy: 1,
        html: "job",
        audience: "all",
        progressChatId: 42,
        progressMessageId: 7,
      })
      const job = await scheduleOneOffJob(db(), {
        name: broadcastJobName(broadcast.id),
        kind: JOB_KINDS.broadcast,
        runAt: new Date(),
        payload: { broadcastId: broadcast.id },
      })
      return { broadcast, job }
    }

    test("delivers and shows the final counts in the admin's progress message, without a stop button", async () => {
      const { broadcast, job } = await setUp()
      const sent: number[] = []
      const edits: Array<{ chatId: number; messageId: number; html: string; keyboard: unknown }> = []
      const run = makeBroadcastJob({
        db: db(),
        send: async (chatId) => void sent.push(chatId),
        edit: async (chatId, messageId, html, keyboard) =>
          void edits.push({ chatId, messageId, html, keyboard }),
        timeZone: "UTC",
      })
      await run(job, new AbortController().signal)
      expect(sent).toEqual(range(9_000_001, 3))
      expect(edits.at(-1)).toEqual({
        chatId: 42,
        messageId: 7,
        html: `📣 <b>Рассылка #${broadcast.id}</b> · все — ✅ завершена\nдоставлено 3 из 3`,
        keyboard: undefined,
      })
    })

    test("a run that fails on the database books its next run instead of leaving the broadcast half-sent", async () => {
      const { job } = await setUp()
      await sql`alter table broadcast_recipients rename to broadcast_recipients_away`.execute(db())
      const run = makeBroadcastJob({
        db: db(),
        send: async () => undefined,
        edit: async () => undefined,
        timeZone: "UTC",
        retryDelayMs: 60_000,
      })
      const failed = await run(job, new AbortController().signal).then(
        () => null,
        (e: unknown) => e,
      )
      await sql`alter table broadcast_recipients_away rename to broadcast_recipients`.execute(db())
      expect(failed).toBeInstanceOf(Error)
      const booked = await findJob(db(), job.name)
      expect(booked?.enabled).toBe(true)
      const wait = new Date(booked!.next_run_at!).getTime() - Date.now()
      expect(wait).toBeGreaterThan(50_000)
      expect(wait).toBeLessThanOrEqual(60_000)
    })

    test("a job without a broadcast id fails loudly", async () => {
      const job = await scheduleOneOffJob(db(), {
        name: "broadcast:x",
        kind: JOB_KINDS.broadcast,
        runAt: new Date(),
      })
      const run = makeBroadcastJob({
        db: db(),
        send: async () => undefined,
        edit: async () => undefined,
        timeZone: "UTC",
      })
      await expect(run(job, new AbortController().signal)).rejects.toThrow("has no broadcastId")
    })
  })
}
