import { describe, expect, test } from "bun:test"
import { sql } from "kysely"
import { param, prepared } from "../../src/repositories/prepared"
import { backends } from "../support/database"
import { useRepositoryDatabase } from "./database"

for (const backend of backends)
  describe(`prepared statements (${backend})`, () => {
    const db = useRepositoryDatabase(backend)
    const leaseOf = prepared((k) =>
      k.selectFrom("chat_leases").select(["chat_id", "owner"]).where("chat_id", "=", param<number>(1)),
    )

    test("one compiled text serves every call, each with its own parameters", async () => {
      await db()
        .insertInto("chat_leases")
        .values([
          { chat_id: 1, owner: "a", expires_at: sql<Date>`now()` },
          { chat_id: 2, owner: "b", expires_at: sql<Date>`now()` },
        ])
        .execute()
      expect(await leaseOf(db(), [1])).toEqual([{ chat_id: 1, owner: "a" }])
      expect(await leaseOf(db(), [2])).toEqual([{ chat_id: 2, owner: "b" }])
      expect(await leaseOf(db(), [3])).toEqual([])
    })

    test("a value written inline, which would be baked into the text, is refused", async () => {
      const inline = prepared((k) => k.selectFrom("chat_leases").selectAll().where("chat_id", "=", 5))
      await expect(inline(db(), [])).rejects.toThrow("param()")
    })
  })
