import type { Update, User } from "grammy/types"
import { type Kysely, type RawBuilder, sql, type Transaction } from "kysely"
import type { Database } from "../../db/schema"
import { jsonb } from "./jsonb"

type Db = Kysely<Database>

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
 * (which chat, which sender; see `readRow`).
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

/** A review with the verdict per component kept and every sentence (quotes, advice, summary) blanked. */
const blankReview = (review: RawBuilder<unknown>) => sql<unknown>`case
  when ${review} is null or jsonb_typeof(${review}) <> 'object' then ${review}
  else jsonb_build_object(
    'overall', '',
    'components', case when jsonb_typeof(${review}->'components') = 'array' then coalesce((
      select jsonb_agg(
        jsonb_build_object('key', c->'key', 'covered', c->'covered', 'evidence', '', 'better', '') order by n)
      from jsonb_array_elements(${review}->'components') with ordinality as e(c, n)), '[]'::jsonb)
      else '[]'::jsonb end,
    'strengths', '[]'::jsonb,
    'growth', '[]'::jsonb)
  end`

/**
 * Retention of dialogue text (DIALOGUE_RETENTION_DAYS): attempts that ended before the cutoff keep their counts,
 * score and per-component verdict but lose the transcript and the review's sentences; a session whose attempt
 * ended (or that was last active) before the cutoff leaves the attempt (the chat goes back to the menu, counters
 * stay); voice transcripts older than the cutoff go. The session's version moves on, so a worker holding the old
 * state cannot write the text back.
 */
export const expireDialogues = async (db: Db, days: number) => {
  const cutoff = sql<Date>`now() - make_interval(days => ${days})`
  const blanked = blankReview(sql`review`)
  await sql`
    update case_attempts set transcript = '[]'::jsonb, review = ${blanked}
    where ended_at < ${cutoff} and (transcript <> '[]'::jsonb or review is distinct from ${blanked})`.execute(
    db,
  )
  await sql`
    update chat_sessions s
    set state = jsonb_set(s.state, '{flow}', '{"_tag":"Idle"}'::jsonb), version = s.version + 1,
      updated_at = now()
    where s.state #>> '{flow,_tag}' = 'Case'
      and (s.updated_at < ${cutoff} or exists (
        select 1 from case_attempts a
        where a.chat_id = s.chat_id
          and a.case_id = s.state #>> '{flow,attempt,caseId}'
          and a.attempt_no::text = s.state #>> '{flow,attempt,number}'
          and a.ended_at < ${cutoff}))`.execute(db)
  await db.deleteFrom("voice_transcripts").where("created_at", "<", cutoff).execute()
  await db.deleteFrom("review_verdicts").where("created_at", "<", cutoff).execute()
}
