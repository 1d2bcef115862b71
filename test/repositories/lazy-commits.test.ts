import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"
import { Cmd } from "../../src/core/commands"
import { showsNothingYet } from "../../src/pipeline/commit"
import { closeDatabases, migrateToLatest, openDatabase, openLazyCommits } from "../../src/services/db"
import { backends, type FreshDatabase, freshDatabase } from "../support/database"
import { configOf } from "./database"

const setting = async (db: Kysely<Database>) =>
  (await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(db)).rows[0]!.synchronous_commit

for (const backend of backends)
  describe(`lazy commits on ${backend}`, () => {
    let fresh: FreshDatabase
    let main: Kysely<Database>
    let lazy: Kysely<Database>
    beforeAll(async () => {
      fresh = await freshDatabase(backend)
      main = await openDatabase(configOf(fresh))
      await migrateToLatest(main)
      lazy = await openLazyCommits(configOf(fresh), main)
    })
    afterAll(async () => {
      await closeDatabases(main, lazy)
      await fresh.drop()
    })

    if (backend === "postgres")
      test("the lazy pool skips the flush wait; the main pool keeps it", async () => {
        expect(lazy).not.toBe(main)
        expect(await setting(lazy)).toBe("off")
        expect(await setting(main)).toBe("on")
      })
    else
      test("PGlite has one connection: the lazy pool is the database itself", () => {
        expect(lazy).toBe(main)
      })

    test("a lazy write is visible to the main pool at once", async () => {
      await lazy
        .insertInto("chat_leases")
        .values({ chat_id: 7, owner: "me", expires_at: sql<Date>`now() + interval '1 minute'` })
        .execute()
      const row = await main
        .selectFrom("chat_leases")
        .select("owner")
        .where("chat_id", "=", 7)
        .executeTakeFirst()
      expect(row?.owner).toBe("me")
    })
  })

describe("which reductions may commit lazily", () => {
  const ask: Cmd = { _tag: "AskPersona", requestId: 1, caseId: "fb_employee", turns: [], text: "Привет" }
  test("a typing cue and an AI request show nothing yet", () => {
    expect(showsNothingYet([{ _tag: "ChatAction" }, ask])).toBe(true)
    expect(showsNothingYet([])).toBe(true)
  })
  test("anything the learner sees must be durable first", () => {
    expect(showsNothingYet([{ _tag: "ChatAction" }, Cmd.reply("Готово")])).toBe(false)
    expect(showsNothingYet([Cmd.answer("q1"), ask])).toBe(false)
    expect(showsNothingYet([{ _tag: "Speak", caseId: "fb_employee", text: "Да" }])).toBe(false)
  })
})
