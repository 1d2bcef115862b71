import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { sql } from "kysely"
import { Migrator } from "kysely/migration"
import { migrations } from "../../db/migrations/index"
import { countOtherAdmins, resolveUser } from "../../src/admin/users.repo"
import { upsertRole } from "../../src/auth/roles.repo"
import { jsonb } from "../../src/repositories/jsonb"
import { isKnownUser, setRevoked } from "../../src/repositories/limits.repo"
import { findSessionAndSender } from "../../src/repositories/sessions.repo"
import { migrateToLatest, openDatabase } from "../../src/services/db"
import { backends, freshDatabase } from "../support/database"
import { configOf, useRepositoryDatabase } from "./database"

// The first PGlite boot of a run takes seconds; bun applies this to this file only.
setDefaultTimeout(30_000)

describe.each(backends)("user_limits and who /setrole names (%s)", (backend) => {
  const db = useRepositoryDatabase(backend)

  test("a revocation → stored by user id, kept apart from the role; restoring clears it", async () => {
    await setRevoked(db(), 801, true)
    expect((await findSessionAndSender(db(), 801, 801)).limits.revoked).toBe(true)
    await setRevoked(db(), 801, false)
    expect((await findSessionAndSender(db(), 801, 801)).limits.revoked).toBe(false)
  })

  test("isKnownUser → someone with a role or with counters (everyone who ever wrote); not a stranger", async () => {
    await upsertRole(db(), { userId: 802, role: "user", firstName: "Ира", username: null })
    await sql`insert into user_limits (user_id) values (803)`.execute(db())
    expect([
      await isKnownUser(db(), 802),
      await isKnownUser(db(), 803),
      await isKnownUser(db(), 804),
    ]).toEqual([true, true, false])
  })

  test("resolveUser → a numeric id as is; a @username only when exactly one user has it (any case)", async () => {
    await upsertRole(db(), { userId: 805, role: "user", firstName: "Аня", username: "Anya_K" })
    await sql`insert into authorized_users (user_id, role, username) values (806, 'user', 'twin'), (807, 'user', 'TWIN')`.execute(
      db(),
    )
    expect(await resolveUser(db(), "123")).toEqual({ _tag: "Found", userId: 123 })
    expect(await resolveUser(db(), "@anya_k")).toEqual({ _tag: "Found", userId: 805 })
    expect(await resolveUser(db(), "@twin")).toEqual({ _tag: "Ambiguous" })
    expect(await resolveUser(db(), "@nobody")).toEqual({ _tag: "Unknown" })
  })

  test("upsertRole → the @username moves to this user: whoever had it stored gives it up", async () => {
    await upsertRole(db(), { userId: 808, role: "user", firstName: "Пётр", username: "shared" })
    await upsertRole(db(), { userId: 809, role: "user", firstName: "Павел", username: "Shared" })
    expect(await resolveUser(db(), "@shared")).toEqual({ _tag: "Found", userId: 809 })
    const old = await db()
      .selectFrom("authorized_users")
      .select("username")
      .where("user_id", "=", 808)
      .execute()
    expect(old).toEqual([{ username: null }])
  })

  test("countOtherAdmins → admins except the one asking", async () => {
    await upsertRole(db(), { userId: 810, role: "admin", firstName: "Олег", username: null })
    expect(await countOtherAdmins(db(), 810)).toBe(0)
    await upsertRole(db(), { userId: 811, role: "admin", firstName: "Ира", username: null })
    await upsertRole(db(), { userId: 812, role: "user", firstName: "Лев", username: null })
    expect(await countOtherAdmins(db(), 810)).toBe(1)
    // Granted ahead of a first visit (/setrole to an id that never wrote): not counted until that person comes.
    await upsertRole(db(), { userId: 811, role: "admin", firstName: "", username: null })
    expect(await countOtherAdmins(db(), 810)).toBe(0)
    await db()
      .insertInto("chat_sessions")
      .values({ chat_id: 811, state: jsonb({}), version: 1 })
      .execute()
    expect(await countOtherAdmins(db(), 810)).toBe(1)
  })
})

describe.each(backends)("migration 0009_user_limits (%s)", (backend) => {
  test("lockouts and rate windows in flight move from the sessions to user_limits; down and up again", async () => {
    const fresh = await freshDatabase(backend)
    const db = await openDatabase(configOf(fresh))
    try {
      await migrateToLatest(db)
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
      const down = await migrator.migrateTo("0007_store_inbox_row")
      expect(down.error).toBeUndefined()
      const rate = {
        minute: { start: 5, count: 3, warned: false },
        hour: { start: 5, count: 9, warned: true },
      }
      const locked = { flow: { _tag: "Idle" }, auth: { failures: 0, lockedUntil: 1_700_000_900_000 }, rate }
      await sql`insert into chat_sessions (chat_id, state, version) values
        (901, ${JSON.stringify(locked)}::text::jsonb, 3),
        (902, ${JSON.stringify({ flow: { _tag: "Idle" }, auth: { failures: 2, lockedUntil: null } })}::text::jsonb, 1),
        (-903, ${JSON.stringify(locked)}::text::jsonb, 1)`.execute(db)
      const after0007 = Object.keys(migrations).filter((name) => name > "0007_store_inbox_row")
      expect(await migrateToLatest(db)).toEqual(after0007)
      expect(after0007).toContain("0009_user_limits")
      const rows = await db
        .selectFrom("user_limits")
        .select(["user_id", "login_failures", "locked_until", "rate", "revoked"])
        .orderBy("user_id")
        .execute()
      expect(
        rows.map((r) => ({ ...r, locked_until: r.locked_until === null ? null : Number(r.locked_until) })),
      ).toEqual([
        { user_id: 901, login_failures: 0, locked_until: 1_700_000_900_000, rate, revoked: false },
        { user_id: 902, login_failures: 2, locked_until: null, rate: null, revoked: false },
      ])
      expect((await findSessionAndSender(db, 901, 901)).limits.auth.lockedUntil).toBe(1_700_000_900_000)
    } finally {
      await db.destroy()
      await fresh.drop()
    }
  })
})
