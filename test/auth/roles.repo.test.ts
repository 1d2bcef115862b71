import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { sql } from "kysely"
import { deleteRole, findUser, upsertRole } from "../../src/auth/roles.repo"
import { useRepositoryDatabase } from "../repositories/database"
import { backends } from "../support/database"

// The first PGlite boot of a run takes seconds; bun applies this to this file only.
setDefaultTimeout(30_000)

const BIG_ID = 7_000_000_001

describe.each(backends)("users repository (%s)", (backend) => {
  const db = useRepositoryDatabase(backend)

  describe("findUser", () => {
    test("unknown user → undefined", async () => {
      expect(await findUser(db(), 12_345)).toBeUndefined()
    })
  })

  describe("upsertRole", () => {
    test("new user → row with role, first_name, username, created_at and last_seen_at", async () => {
      await upsertRole(db(), { userId: 1, role: "user", firstName: "Иван", username: "ivan" })
      const user = await findUser(db(), 1)
      expect(user).toMatchObject({ user_id: 1, role: "user", first_name: "Иван", username: "ivan" })
      expect(user?.created_at).toBeInstanceOf(Date)
      expect(user?.last_seen_at).toBeInstanceOf(Date)
    })

    test("username null → stored as null", async () => {
      await upsertRole(db(), { userId: 2, role: "admin", firstName: "Ольга", username: null })
      expect(await findUser(db(), 2)).toMatchObject({ role: "admin", first_name: "Ольга", username: null })
    })

    test("second upsert → role, names and last_seen_at updated, created_at kept", async () => {
      await upsertRole(db(), { userId: 3, role: "user", firstName: "Пётр", username: "petr" })
      await sql`update authorized_users set created_at = now() - interval '30 days',
        last_seen_at = now() - interval '1 day' where user_id = 3`.execute(db())
      const before = (await findUser(db(), 3))!
      await upsertRole(db(), { userId: 3, role: "admin", firstName: "Пётр Ив.", username: null })
      const after = (await findUser(db(), 3))!
      expect(after).toMatchObject({ user_id: 3, role: "admin", first_name: "Пётр Ив.", username: null })
      expect(after.created_at.getTime()).toBe(before.created_at.getTime())
      expect((after.last_seen_at as Date).getTime()).toBeGreaterThan((before.last_seen_at as Date).getTime())
      const rows = await db().selectFrom("authorized_users").selectAll().execute()
      expect(rows).toHaveLength(1)
    })

    test("role outside user/admin (bypassing types) → rejected by the check constraint", async () => {
      const bad = { userId: 4, role: "owner" as "admin", firstName: "X", username: null }
      await expect(upsertRole(db(), bad)).rejects.toThrow()
      expect(await findUser(db(), 4)).toBeUndefined()
    })
  })

  describe("deleteRole", () => {
    test("existing user → row removed, other users kept", async () => {
      await upsertRole(db(), { userId: 5, role: "user", firstName: "A", username: "a" })
      await upsertRole(db(), { userId: 6, role: "user", firstName: "B", username: "b" })
      await deleteRole(db(), 5)
      expect(await findUser(db(), 5)).toBeUndefined()
      expect((await findUser(db(), 6))?.user_id).toBe(6)
    })

    test("unknown user → no error, nothing removed", async () => {
      await upsertRole(db(), { userId: 7, role: "user", firstName: "C", username: null })
      await deleteRole(db(), 999)
      expect(await db().selectFrom("authorized_users").select("user_id").execute()).toEqual([{ user_id: 7 }])
    })
  })

  describe("big user ids", () => {
    test(`user_id ${BIG_ID} (beyond 2^31 and 2^32) → round-trips as the same number`, async () => {
      await upsertRole(db(), { userId: BIG_ID, role: "admin", firstName: "Big", username: "big" })
      const user = await findUser(db(), BIG_ID)
      expect(typeof user?.user_id).toBe("number")
      expect(user?.user_id).toBe(BIG_ID)
      const all = await db().selectFrom("authorized_users").select("user_id").execute()
      expect(all).toEqual([{ user_id: BIG_ID }])
      await deleteRole(db(), BIG_ID)
      expect(await findUser(db(), BIG_ID)).toBeUndefined()
    })

    test("largest safe integer id → round-trips exactly", async () => {
      await upsertRole(db(), {
        userId: Number.MAX_SAFE_INTEGER,
        role: "user",
        firstName: "M",
        username: null,
      })
      const user = await findUser(db(), Number.MAX_SAFE_INTEGER)
      expect(user?.user_id).toBe(Number.MAX_SAFE_INTEGER)
      expect(typeof user?.user_id).toBe("number")
    })
  })
})
