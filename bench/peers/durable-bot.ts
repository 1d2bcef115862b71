/**
 * P1's floor for a crash-safe bot: the least one must do is store each update with one synchronous INSERT before
 * Telegram gets its 200 (a crash then loses nothing Telegram will not resend). Then it replies (an echo). No
 * state, no ordering, no resume. Bun's SQL client, like ours. Reads BOT_TOKEN, TELEGRAM_API_ROOT, PORT,
 * WEBHOOK_SECRET, DATABASE_URL.
 */
import { SQL } from "bun"
import { Elysia } from "elysia"
import { Api } from "grammy"
import type { Update } from "grammy/types"
import "./exit-on-term"

const sql = new SQL({ url: process.env.DATABASE_URL!, max: 10 })
await sql`create table if not exists peer_updates (update_id bigint primary key, payload jsonb not null)`
const api = new Api(process.env.BOT_TOKEN!, { apiRoot: process.env.TELEGRAM_API_ROOT! })

const app = new Elysia()
  .post("/webhook", async ({ request, status }) => {
    if (request.headers.get("x-telegram-bot-api-secret-token") !== process.env.WEBHOOK_SECRET)
      return status(401)
    const update = (await request.json()) as Update
    await sql`insert into peer_updates ${sql({ update_id: update.update_id, payload: update })} on conflict do nothing`
    const message = update.message
    if (message?.text) void api.sendMessage(message.chat.id, message.text).catch(() => {})
    return "ok"
  })
  .listen(Number(process.env.PORT ?? 0))
process.stdout.write(`${JSON.stringify({ msg: "peer started", port: app.server?.port })}\n`)
