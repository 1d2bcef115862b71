import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { sql } from "kysely"
import type { InboxRow } from "../../db/schema"
import { forgetUser } from "../../src/admin/users.repo"
import { readRow } from "../../src/pipeline/read-row"
import { recordAiCall } from "../../src/repositories/ai.repo"
import { jsonb } from "../../src/repositories/jsonb"
import { type Db, insertEvent, insertUpdate, useRepositoryDatabase } from "../repositories/database"
import { backends } from "../support/database"
import { tablesHolding } from "../support/db-scan"
import { callbackUpdate, textUpdate } from "../support/updates"

// The first PGlite boot of a run takes seconds; bun applies this to this file only.
setDefaultTimeout(30_000)

const ME = 501
const OTHER = 502
const GROUP = -900
const MARKER = "Kalinka5011"
const NAME = "Эвридика"

const processed = (db: Db, id: number | null) =>
  db.updateTable("update_inbox").set({ processed_at: sql<Date>`now()` }).where("id", "=", id!).execute()

const inboxOf = async (db: Db) =>
  (await db.selectFrom("update_inbox").selectAll().orderBy("id").execute()) as InboxRow[]

/** Two learners with attempts, transcripts, usage and messages; `ME` is about to press «Да, удалить». */
const seed = async (db: Db) => {
  await sql`delete from update_inbox`.execute(db)
  for (const user of [ME, OTHER]) {
    await db
      .insertInto("authorized_users")
      .values({ user_id: user, role: "user", first_name: NAME, username: null })
      .execute()
    await db
      .insertInto("voice_transcripts")
      .values({
        file_unique_id: `u-${user}`,
        user_id: user,
        transcript: `${MARKER} ${user}`,
        provider: "openai",
        model: "m",
      })
      .execute()
    await recordAiCall(
      db,
      {
        userId: user,
        caseId: "fb_employee",
        channel: "dialogue",
        provider: "openai",
        model: "m",
        inputTokens: 1,
        outputTokens: 1,
        latencyMs: 5,
        outcome: "ok",
        errorClass: null,
      },
      "UTC",
    )
  }
  const mine = { chatId: ME, userId: ME, firstName: NAME }
  const rows = {
    typed: await insertUpdate(db, 1, ME, textUpdate(`Давай обсудим ${MARKER}`, mine)),
    inGroup: await insertUpdate(db, 2, GROUP, textUpdate(`${MARKER} в группе`, { ...mine, chatId: GROUP })),
    quotedInGroup: await insertUpdate(db, 3, GROUP, {
      ...textUpdate("Согласен", { chatId: GROUP, userId: OTHER, firstName: "Пётр" }),
      message: {
        ...textUpdate("Согласен", { chatId: GROUP, userId: OTHER, firstName: "Пётр" }).message!,
        reply_to_message: textUpdate(`${MARKER} цитата`, { ...mine, chatId: GROUP }).message,
      },
    }),
    othersWords: await insertUpdate(db, 4, OTHER, textUpdate("Слова другого", { userId: OTHER })),
    // This very /forget_me: reduced, its commands running now.
    confirming: await insertUpdate(
      db,
      5,
      ME,
      callbackUpdate("forget:yes", {
        ...mine,
        username: "evridika",
        updateId: 5,
        queryId: "query-forget",
        messageId: 77,
        messageText: MARKER,
      }),
    ),
    // An AI answer that arrived meanwhile, queued behind it; and a message sent right after the press.
    lateAnswer: await insertEvent(db, ME, {
      feedback: { _tag: "Transcribed", caseId: "fb_employee", attempt: 1, text: MARKER },
      origin: { chatId: ME, userId: ME, firstName: NAME, username: null },
    }),
    sentAfter: await insertUpdate(db, 6, ME, textUpdate("/start", mine)),
    othersEvent: await insertEvent(db, OTHER, {
      feedback: { _tag: "DbPinged", ok: true, ms: 1 },
      origin: { chatId: OTHER, userId: OTHER, firstName: "Пётр", username: null },
    }),
  }
  for (const id of [rows.typed, rows.inGroup, rows.quotedInGroup, rows.othersWords]) await processed(db, id)
  await db
    .updateTable("update_inbox")
    .set({ reduced_at: sql<Date>`now()`, commands: jsonb([{ _tag: "ForgetMe" }]) })
    .where("id", "=", rows.confirming!)
    .execute()
  return rows
}

describe.each(backends)("forgetUser (%s)", (backend) => {
  const db = useRepositoryDatabase(backend)

  test("every stored copy of the user's words goes, in any chat; the running row keeps only ids; others untouched", async () => {
    const rows = await seed(db())
    await forgetUser(db(), ME)

    expect(await tablesHolding(db(), MARKER)).toEqual([`voice_transcripts: 1 rows`])
    expect(await db().selectFrom("voice_transcripts").select("user_id").execute()).toEqual([
      { user_id: OTHER },
    ])
    const left = await inboxOf(db())
    expect(left.map((r): number | null => r.id)).toEqual([
      rows.othersWords,
      rows.confirming,
      rows.sentAfter,
      rows.othersEvent,
    ])
    const confirming = left.find((r) => r.id === rows.confirming)!
    expect(confirming.payload).toEqual({
      update_id: 5,
      callback_query: {
        id: "query-forget",
        chat_instance: "",
        from: { id: ME, is_bot: false, first_name: "" },
        message: {
          message_id: 77,
          date: expect.any(Number),
          chat: { id: ME, type: "private" },
          from: { id: 7000001, is_bot: true, first_name: "" },
        },
      },
    })
    // Resuming its remaining commands after a crash still knows the chat and the sender.
    expect(readRow(confirming)?.origin).toEqual({ chatId: ME, userId: ME, firstName: "", username: null })
    expect(confirming.commands).toEqual([{ _tag: "ForgetMe" }])
    // Usage rows stay, as anonymous counts.
    expect(
      (await db().selectFrom("ai_calls").select("user_id").orderBy("user_id").execute()).map(
        (r) => r.user_id,
      ),
    ).toEqual([OTHER, null])
    expect(await db().selectFrom("authorized_users").select("user_id").execute()).toEqual([
      { user_id: OTHER },
    ])
  })
})
