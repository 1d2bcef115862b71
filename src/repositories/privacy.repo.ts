import type { Update, User } from "grammy/types"
import { sql, type Transaction } from "kysely"
import type { Database } from "../../db/schema"
import { jsonb } from "./jsonb"

/**
 * Where a learner's words are kept besides their own tables, and how they are removed: by /forget_me (at once) and
 * by the nightly retention job (past DIALOGUE_RETENTION_DAYS). Names and numbers that results and statistics need
 * stay; text goes.
 */

interface MessageIds {
  readonly message_id: number
  readonly date: number
  readonly chat: { readonly id: number; readonly type: string }
  readonly from?: User
}

const person = (u: User) => ({ id: u.id, is_bot: u.is_bot, first_name: "" })
const messageIds = (m: MessageIds) => ({
  message_id: m.message_id,
  date: m.date,
  chat: { id: m.chat.id, type: m.chat.type },
  ...(m.from ? { from: person(m.from) } : {}),
})

/**
 * An inbox row's payload without text, names or files: only the ids that resuming its remaining commands needs
 * (which chat, which sender; see `rowOrigin`).
 */
export const contentFreePayload = (kind: "update" | "event", payload: unknown): unknown => {
  if (kind === "event") {
    const { feedback, origin } = payload as {
      feedback: { _tag: string }
      origin: { chatId: number; userId: number }
    }
    return {
      feedback: { _tag: feedback._tag },
      origin: { chatId: origin.chatId, userId: origin.userId, firstName: "", username: null },
    }
  }
  const u = payload as Update
  const query = u.callback_query
  return {
    update_id: u.update_id,
    ...(u.message ? { message: messageIds(u.message) } : {}),
    ...(query
      ? {
          callback_query: {
            id: query.id,
            chat_instance: "",
            from: person(query.from),
            ...(query.message ? { message: messageIds(query.message) } : {}),
          },
        }
      : {}),
  }
}

/** Rows that carry a message of `userId` anywhere (sender, quoted reply) or a feedback event for them. */
const involves = (userId: number) => {
  const vars = sql`jsonb_build_object('id', ${userId}::bigint)`
  return sql<boolean>`(jsonb_path_exists(payload, '$.**.from.id ? (@ == $id)', ${vars})
    or jsonb_path_exists(payload, '$.origin.userId ? (@ == $id)', ${vars}))`
}

/**
 * Every stored copy of a user's messages and of the bot's answers to them. Processed rows go (in any chat they
 * wrote in). Feedback still queued for the chat (an AI answer, a transcript) would only be discarded once the
 * session is gone: it goes now. The row running this very /forget_me keeps only the ids it needs to finish.
 * Updates that arrive afterwards are new input, handled like anyone's.
 */
export const forgetInbox = async (trx: Transaction<Database>, userId: number) => {
  await trx
    .deleteFrom("update_inbox")
    .where("processed_at", "is not", null)
    .where((eb) => eb.or([eb("chat_id", "=", userId), involves(userId)]))
    .execute()
  await trx
    .deleteFrom("update_inbox")
    .where("chat_id", "=", userId)
    .where("kind", "=", "event")
    .where("reduced_at", "is", null)
    .execute()
  const running = await trx
    .selectFrom("update_inbox")
    .select(["id", "kind", "payload"])
    .where("chat_id", "=", userId)
    .where("processed_at", "is", null)
    .where("reduced_at", "is not", null)
    .execute()
  for (const row of running)
    await trx
      .updateTable("update_inbox")
      .set({ payload: jsonb(contentFreePayload(row.kind, row.payload)) })
      .where("id", "=", row.id)
      .execute()
}
