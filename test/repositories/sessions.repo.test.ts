import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { sql } from "kysely"
import { upsertRole } from "../../src/auth/roles.repo"
import { findSessionAndSender } from "../../src/repositories/sessions.repo"
import { saveReduction } from "../../src/repositories/step-writes.repo"
import { backends } from "../support/database"
import { insertUpdate, useRepositoryDatabase } from "./database"

// The first PGlite boot of a run takes seconds; bun applies this to this file only.
setDefaultTimeout(30_000)

const state = (step: string, extra: Record<string, unknown> = {}) => ({
  step,
  user: { name: "Мария", roles: ["user"] },
  rate: { minute: { count: 1, since: 1_700_000_000_000 }, hour: { count: 3, since: 1_700_000_000_000 } },
  ...extra,
})

const noLimits = { auth: { failures: 0, lockedUntil: null }, rate: null, revoked: false }

describe.each(backends)("sessions repository (%s)", (backend) => {
  const db = useRepositoryDatabase(backend)
  let updateId = 1

  const findSession = async (chatId: number) => (await findSessionAndSender(db(), chatId, 0)).session

  const storedRow = async (chatId: number) => (await insertUpdate(db(), updateId++, chatId, { chatId }))!

  /** Saves a state the way the pipeline does: together with the reduced row (the row's commands are empty here). */
  const saveSession = async (chatId: number, value: unknown, expectedVersion: number) =>
    saveReduction(db(), {
      rowId: await storedRow(chatId),
      chatId,
      state: value,
      expectedVersion,
      commands: [],
    })

  describe("findSessionAndSender", () => {
    test("stranger in a new chat → neither session nor sender", async () => {
      expect(await findSessionAndSender(db(), 500, 500)).toEqual({
        session: undefined,
        sender: undefined,
        limits: noLimits,
      })
    })

    test("known sender and saved chat → both, in one read", async () => {
      await upsertRole(db(), { userId: 501, role: "admin", firstName: "Ира", username: null })
      await saveSession(502, state("menu"), 0)
      const found = await findSessionAndSender(db(), 502, 501)
      expect(found.session).toEqual({ state: state("menu"), version: 1 })
      expect(found.sender?.role).toBe("admin")
      expect(found.sender?.since).toBeInstanceOf(Date)
    })

    test("known sender in a new chat → sender only; saved chat, stranger → session only", async () => {
      await upsertRole(db(), { userId: 503, role: "user", firstName: "Олег", username: "oleg" })
      expect(await findSessionAndSender(db(), 504, 503)).toMatchObject({
        session: undefined,
        sender: { role: "user" },
      })
      await saveSession(505, state("menu"), 0)
      expect(await findSessionAndSender(db(), 505, 506)).toEqual({
        session: { state: state("menu"), version: 1 },
        sender: undefined,
        limits: noLimits,
      })
    })
  })

  describe("findSession", () => {
    test("unknown chat → undefined", async () => {
      expect(await findSession(404)).toBeUndefined()
    })

    test("saved chat → { state, version } only, state as an object", async () => {
      await saveSession(1, state("menu"), 0)
      const found = await findSession(1)
      expect(found).toEqual({ state: state("menu"), version: 1 })
      expect(typeof found?.state).toBe("object")
    })

    test("another chat saved → this chat still undefined", async () => {
      await saveSession(2, state("menu"), 0)
      expect(await findSession(3)).toBeUndefined()
    })
  })

  describe("saveReduction insert (expectedVersion 0)", () => {
    test("no row yet → true, stored with version 1", async () => {
      expect(await saveSession(10, state("start"), 0)).toBe(true)
      expect(await findSession(10)).toEqual({ state: state("start"), version: 1 })
    })

    test("row already created by someone else → false, their state kept", async () => {
      expect(await saveSession(11, state("theirs"), 0)).toBe(true)
      expect(await saveSession(11, state("mine"), 0)).toBe(false)
      expect(await findSession(11)).toEqual({ state: state("theirs"), version: 1 })
    })

    test("two concurrent inserts → exactly one true, version 1, the winner's state", async () => {
      const results = await Promise.all([saveSession(12, state("a"), 0), saveSession(12, state("b"), 0)])
      expect(results.filter(Boolean)).toHaveLength(1)
      const winner = results[0] ? "a" : "b"
      expect(await findSession(12)).toEqual({ state: state(winner), version: 1 })
    })
  })

  describe("saveReduction update (expectedVersion > 0)", () => {
    test("right version → true, version + 1, new state stored, updated_at advanced", async () => {
      await saveSession(20, state("v1"), 0)
      await sql`update chat_sessions set updated_at = now() - interval '1 hour' where chat_id = 20`.execute(
        db(),
      )
      const before = await db()
        .selectFrom("chat_sessions")
        .select("updated_at")
        .where("chat_id", "=", 20)
        .executeTakeFirstOrThrow()
      expect(await saveSession(20, state("v2"), 1)).toBe(true)
      expect(await findSession(20)).toEqual({ state: state("v2"), version: 2 })
      expect(await saveSession(20, state("v3"), 2)).toBe(true)
      expect(await findSession(20)).toEqual({ state: state("v3"), version: 3 })
      const after = await db()
        .selectFrom("chat_sessions")
        .select("updated_at")
        .where("chat_id", "=", 20)
        .executeTakeFirstOrThrow()
      expect(after.updated_at.getTime()).toBeGreaterThan(before.updated_at.getTime())
    })

    test("stale version → false, stored state and version unchanged", async () => {
      await saveSession(21, state("v1"), 0)
      await saveSession(21, state("v2"), 1)
      expect(await saveSession(21, state("stale"), 1)).toBe(false)
      expect(await findSession(21)).toEqual({ state: state("v2"), version: 2 })
    })

    test("version from the future → false, nothing changes", async () => {
      await saveSession(22, state("v1"), 0)
      expect(await saveSession(22, state("future"), 5)).toBe(false)
      expect(await findSession(22)).toEqual({ state: state("v1"), version: 1 })
    })

    test("no row but expectedVersion 1 → false and no row created", async () => {
      expect(await saveSession(23, state("ghost"), 1)).toBe(false)
      expect(await findSession(23)).toBeUndefined()
    })

    test("two concurrent saves from the same version → exactly one true, version + 1, the winner's state", async () => {
      await saveSession(24, state("v1"), 0)
      const results = await Promise.all([saveSession(24, state("a"), 1), saveSession(24, state("b"), 1)])
      expect(results.filter(Boolean)).toHaveLength(1)
      const winner = results[0] ? "a" : "b"
      expect(await findSession(24)).toEqual({ state: state(winner), version: 2 })
    })

    test("five concurrent saves from the same version → exactly one true", async () => {
      await saveSession(25, state("v1"), 0)
      const results = await Promise.all(["a", "b", "c", "d", "e"].map((s) => saveSession(25, state(s), 1)))
      expect(results.filter(Boolean)).toHaveLength(1)
      expect((await findSession(25))?.version).toBe(2)
    })

    test("save of one chat → other chats untouched", async () => {
      await saveSession(26, state("x"), 0)
      await saveSession(27, state("y"), 0)
      await saveSession(26, state("x2"), 1)
      expect(await findSession(27)).toEqual({ state: state("y"), version: 1 })
    })
  })

  describe("saveReduction marks the row in the same statement", () => {
    const rowOf = (id: number) =>
      db().selectFrom("update_inbox").selectAll().where("id", "=", id).executeTakeFirstOrThrow()

    test("version check passes → state saved and the row reduced with its commands and scrubbed payload", async () => {
      const rowId = await storedRow(40)
      const commands = [{ _tag: "Reply", html: "Привет" }]
      const saved = await saveReduction(db(), {
        rowId,
        chatId: 40,
        state: state("menu"),
        expectedVersion: 0,
        commands,
        redactPayload: { scrubbed: true },
      })
      expect(saved).toBe(true)
      const row = await rowOf(rowId)
      expect(row.reduced_at).toBeInstanceOf(Date)
      expect(row.commands).toEqual(commands)
      expect(row.payload).toEqual({ scrubbed: true })
      expect(await findSession(40)).toEqual({ state: state("menu"), version: 1 })
    })

    test("stale version → false, and neither the state nor the row changes", async () => {
      await saveSession(41, state("v1"), 0)
      await saveSession(41, state("v2"), 1)
      const rowId = await storedRow(41)
      const stale = {
        rowId,
        chatId: 41,
        state: state("stale"),
        expectedVersion: 1,
        commands: [{ _tag: "X" }],
      }
      expect(await saveReduction(db(), stale)).toBe(false)
      const row = await rowOf(rowId)
      expect(row.reduced_at).toBeNull()
      expect(row.commands).toBeNull()
      expect(row.payload).toEqual({ chatId: 41 })
      expect(await findSession(41)).toEqual({ state: state("v2"), version: 2 })
    })

    test("a chat created by someone else meanwhile (version 0 taken) → false, the row stays unreduced", async () => {
      await saveSession(42, state("theirs"), 0)
      const rowId = await storedRow(42)
      const late = { rowId, chatId: 42, state: state("mine"), expectedVersion: 0, commands: [] }
      expect(await saveReduction(db(), late)).toBe(false)
      expect((await rowOf(rowId)).reduced_at).toBeNull()
    })
  })

  describe("saveReduction writes the sender's counters and name in the same statement", () => {
    const counters = (userId: number, failures: number) => ({
      userId,
      auth: { failures, lockedUntil: failures >= 5 ? 1_700_000_900_000 : null },
      rate: {
        minute: { start: 1, count: failures, warned: false },
        hour: { start: 1, count: 9, warned: true },
      },
    })
    const limitsOf = async (userId: number) => (await findSessionAndSender(db(), userId, userId)).limits

    test("with the state → saved; read back by user id with the next load", async () => {
      const rowId = await storedRow(60)
      const saved = await saveReduction(db(), {
        rowId,
        chatId: 60,
        state: state("menu"),
        expectedVersion: 0,
        commands: [],
        counters: counters(60, 5),
      })
      expect(saved).toBe(true)
      expect(await limitsOf(60)).toEqual({
        auth: { failures: 5, lockedUntil: 1_700_000_900_000 },
        rate: counters(60, 5).rate,
        revoked: false,
      })
    })

    test("the state unchanged → the row marked and the counters saved, no session row created", async () => {
      const rowId = await storedRow(61)
      const commands = [{ _tag: "Reply", html: "⏳" }]
      expect(
        await saveReduction(db(), {
          rowId,
          chatId: 61,
          expectedVersion: 0,
          commands,
          counters: counters(61, 2),
        }),
      ).toBe(true)
      expect((await limitsOf(61)).auth).toEqual({ failures: 2, lockedUntil: null })
      expect(await findSession(61)).toBeUndefined()
      const row = await db()
        .selectFrom("update_inbox")
        .selectAll()
        .where("id", "=", rowId)
        .executeTakeFirstOrThrow()
      expect([row.reduced_at instanceof Date, row.commands]).toEqual([true, commands])
    })

    test("a lost race (stale version) → the counters stay as they were (the retry counts once)", async () => {
      await saveSession(62, state("v1"), 0)
      await saveSession(62, state("v2"), 1)
      const rowId = await storedRow(62)
      const stale = {
        rowId,
        chatId: 62,
        state: state("x"),
        expectedVersion: 1,
        commands: [],
        counters: counters(62, 3),
      }
      expect(await saveReduction(db(), stale)).toBe(false)
      expect(await limitsOf(62)).toEqual(noLimits)
    })

    test("a later save → overwrites the lockout and windows, keeps the AI count and the revocation", async () => {
      await sql`insert into user_limits (user_id, ai_day, ai_calls, revoked) values (63, current_date, 7, true)`.execute(
        db(),
      )
      await saveReduction(db(), {
        rowId: await storedRow(63),
        chatId: 63,
        expectedVersion: 0,
        commands: [],
        counters: counters(63, 1),
      })
      const row = await db()
        .selectFrom("user_limits")
        .selectAll()
        .where("user_id", "=", 63)
        .executeTakeFirstOrThrow()
      expect([row.login_failures, row.ai_calls, row.revoked]).toEqual([1, 7, true])
    })

    test("a renamed user → name stored; another row still holding the @username gives it up", async () => {
      await upsertRole(db(), { userId: 64, role: "user", firstName: "Старое", username: "old_name" })
      await upsertRole(db(), { userId: 65, role: "user", firstName: "Ника", username: "taken_now" })
      await saveReduction(db(), {
        rowId: await storedRow(64),
        chatId: 64,
        expectedVersion: 0,
        commands: [],
        profile: { userId: 64, username: "Taken_Now", firstName: "Новое" },
      })
      const users = await db()
        .selectFrom("authorized_users")
        .select(["user_id", "username", "first_name"])
        .orderBy("user_id")
        .execute()
      expect(users).toEqual([
        { user_id: 64, username: "Taken_Now", first_name: "Новое" },
        { user_id: 65, username: null, first_name: "Ника" },
      ])
    })
  })

  describe("state round-trip", () => {
    test("nested objects, arrays, Cyrillic, emoji, null, numbers → deep-equal object, jsonb 'object'", async () => {
      const value = state("quiz", {
        answers: [{ q: "Что такое EMCO?", a: "Оценка — «5» 😀", score: 9.5 }, null],
        flags: { admin: false, nested: { deeper: { deepest: [1, [2, [3]]] } } },
        empty: {},
        quote: 'a "b" \\ c',
      })
      await saveSession(30, value, 0)
      const found = await findSession(30)
      expect(typeof found?.state).toBe("object")
      expect(found?.state).toEqual(value)
      const kind = await sql<{
        t: string
      }>`select jsonb_typeof(state) as t from chat_sessions where chat_id = 30`.execute(db())
      expect(kind.rows[0]!.t).toBe("object")
    })

    test("chat id beyond 2^31 → found by the same number", async () => {
      await saveSession(-1_001_234_567_890, state("group"), 0)
      expect((await findSession(-1_001_234_567_890))?.version).toBe(1)
    })
  })
})
