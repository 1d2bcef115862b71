import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"
import { deleteRole, upsertRole } from "../auth/roles.repo"
import type { UserSummary } from "../core/views"
import { setRevoked } from "../repositories/limits.repo"
import { forgetInbox } from "../repositories/privacy.repo"

type Db = Kysely<Database>

/** Users listed per page of /users. */
export const USERS_PAGE = 20

const matching = (db: Db, query: string) => {
  const q = query.trim().replace(/^@/, "")
  const users = db.selectFrom("authorized_users as u")
  return q === ""
    ? users
    : users.where(({ or, eb }) =>
        or([
          eb(sql`u.user_id::text`, "=", q),
          eb("u.username", "ilike", `%${q}%`),
          eb("u.first_name", "ilike", `%${q}%`),
        ]),
      )
}

/**
 * Users with a role, most recently active first, page `page` (past the end, as when the list shrank since its
 * button was shown: the last page); `query` matches id, name or @username.
 */
export const findUsers = async (
  db: Db,
  query: string,
  page = 0,
): Promise<{ users: UserSummary[]; total: number; page: number }> => {
  const last = db
    .selectFrom("update_inbox")
    .select(["chat_id", sql<Date>`max(received_at)`.as("last_seen")])
    .where("kind", "=", "update")
    .groupBy("chat_id")
    .as("activity")
  const days = db
    .selectFrom("user_activity")
    .select(["user_id", sql<string>`max(day)::text`.as("last_day")])
    .groupBy("user_id")
    .as("days")
  const [found, counted] = await Promise.all([
    matching(db, query)
      .leftJoin(last, "activity.chat_id", "u.user_id")
      .leftJoin(days, "days.user_id", "u.user_id")
      .select(["u.user_id", "u.first_name", "u.username", "u.role", "activity.last_seen", "days.last_day"])
      .orderBy(sql`activity.last_seen desc nulls last`)
      .orderBy(sql`days.last_day desc nulls last`)
      .orderBy("u.user_id")
      .limit(USERS_PAGE)
      .offset(page * USERS_PAGE)
      .execute(),
    matching(db, query)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow(),
  ])
  const total = Number(counted.n)
  const lastPage = Math.max(0, Math.ceil(total / USERS_PAGE) - 1)
  if (found.length === 0 && page > lastPage) return findUsers(db, query, lastPage)
  return {
    total,
    page,
    users: found.map((r) => ({
      userId: r.user_id,
      firstName: r.first_name ?? "",
      username: r.username,
      role: r.role,
      lastActive: { at: r.last_seen ? new Date(r.last_seen).getTime() : null, day: r.last_day ?? null },
    })),
  }
}

export type ResolvedUser =
  | { readonly _tag: "Found"; readonly userId: number }
  | { readonly _tag: "Unknown" }
  | { readonly _tag: "Ambiguous" }

/**
 * Resolves `123456`, or `@username` among users the bot knows: only a username stored for exactly one of them.
 * Names are refreshed on every update, and a name moves to whoever showed it last, so two rows share one only
 * while the person who gave it up has not written since: then the admin is asked for the numeric id.
 */
export const resolveUser = async (db: Db, target: string): Promise<ResolvedUser> => {
  if (/^\d+$/.test(target)) return { _tag: "Found", userId: Number(target) }
  const rows = await db
    .selectFrom("authorized_users")
    .select("user_id")
    .where(sql<string>`lower(username)`, "=", target.replace(/^@/, "").toLowerCase())
    .limit(2)
    .execute()
  if (rows.length === 0) return { _tag: "Unknown" }
  return rows.length === 1 ? { _tag: "Found", userId: rows[0]!.user_id } : { _tag: "Ambiguous" }
}

/** Admins other than `userId`: the last one may not take their own role away. */
export const countOtherAdmins = async (db: Db, userId: number): Promise<number> => {
  // Only admins who have opened the bot (Telegram gave their name, or their chat has a session): one granted ahead
  // of a first visit, perhaps to a mistyped id, cannot run the bot yet.
  const row = await db
    .selectFrom("authorized_users as a")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("a.role", "=", "admin")
    .where("a.user_id", "<>", userId)
    .where(({ or, eb, exists, selectFrom }) =>
      or([
        eb("a.first_name", "<>", ""),
        exists(selectFrom("chat_sessions as s").select("s.chat_id").whereRef("s.chat_id", "=", "a.user_id")),
      ]),
    )
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/**
 * Everything kept about one user, gone: attempts, stats, ratings, comments, invites, role, voice transcripts, the
 * chat session and every stored copy of their messages (see `forgetInbox`). Usage rows stay as anonymous counts.
 * Their user_limits row stays: counters only (lockout, rate windows, today's AI calls, an admin's revocation), which
 * a reset must not be able to clear.
 */
export const forgetUser = (db: Db, userId: number) =>
  db.transaction().execute(async (trx) => {
    // AI work in flight holds the dialogue too. First: its result is then never stored (settling needs the row),
    // and a transcript being saved by it lands before the transcripts below are deleted (see saveTranscript).
    await trx.deleteFrom("background_work").where("user_id", "=", userId).execute()
    await trx.deleteFrom("case_attempts").where("user_id", "=", userId).execute()
    await trx.deleteFrom("case_stats").where("user_id", "=", userId).execute()
    await trx.deleteFrom("bot_ratings").where("user_id", "=", userId).execute()
    await trx.deleteFrom("rating_comments").where("user_id", "=", userId).execute()
    await trx.deleteFrom("rating_invites").where("user_id", "=", userId).execute()
    await trx.deleteFrom("authorized_users").where("user_id", "=", userId).execute()
    await trx.updateTable("ai_calls").set({ user_id: null }).where("user_id", "=", userId).execute()
    // Also takes them off broadcasts still being delivered.
    await trx.deleteFrom("broadcast_recipients").where("user_id", "=", userId).execute()
    await trx.deleteFrom("voice_transcripts").where("user_id", "=", userId).execute()
    await trx.deleteFrom("review_verdicts").where("user_id", "=", userId).execute()
    await trx.deleteFrom("user_activity").where("user_id", "=", userId).execute()
    await trx.deleteFrom("user_settings").where("user_id", "=", userId).execute()
    await trx.deleteFrom("chat_sessions").where("chat_id", "=", userId).execute()
    await forgetInbox(trx, userId)
  })

/**
 * Gives `userId` a role, or revokes their sign-in (`none`: the role goes and the shared password no longer signs them
 * in, until an admin grants a role again), in one transaction.
 */
export const changeRole = (
  db: Db,
  userId: number,
  role: "user" | "admin" | "none",
  known: { readonly first_name: string | null; readonly username: string | null } | undefined,
) =>
  db.transaction().execute(async (trx) => {
    if (role === "none") await deleteRole(trx, userId)
    else
      await upsertRole(trx, {
        userId,
        role,
        firstName: known?.first_name ?? "",
        username: known?.username ?? null,
      })
    await setRevoked(trx, userId, role === "none")
  })
