/**
 * P1's main peer: the bot a user would write instead of ours — grammY with the session plugin on PostgreSQL
 * (@grammyjs/storage-psql over `pg`) and runner's `sequentialize` (one update per chat at a time), behind grammY's
 * webhook handler in Elysia. Its handler reads and writes a per-chat state (a counter) and replies. Reads BOT_TOKEN,
 * TELEGRAM_API_ROOT, PORT, WEBHOOK_SECRET, DATABASE_URL.
 */
import { sequentialize } from "@grammyjs/runner"
import { PsqlAdapter } from "@grammyjs/storage-psql"
import { Elysia } from "elysia"
import { Bot, type Context, type SessionFlavor, session, webhookCallback } from "grammy"
import pg from "pg"
import "./exit-on-term"

type Ctx = Context & SessionFlavor<{ count: number }>

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL!, max: 10 })
// The adapter types ask for a pg.Client; a pool answers the same `query` calls (its README shows both).
const storage = await PsqlAdapter.create({ tableName: "peer_sessions", client: pool as unknown as pg.Client })
const bot = new Bot<Ctx>(process.env.BOT_TOKEN!, { client: { apiRoot: process.env.TELEGRAM_API_ROOT! } })
const chatKey = (ctx: Context) => ctx.chat?.id.toString()
bot.use(sequentialize(chatKey))
bot.use(session({ initial: () => ({ count: 0 }), storage, getSessionKey: chatKey }))
bot.on("message:text", (ctx) => {
  ctx.session.count++
  return ctx.reply(`${ctx.message.text} #${ctx.session.count}`)
})
await bot.init()

const handle = webhookCallback(bot, "elysia", { secretToken: process.env.WEBHOOK_SECRET })
const app = new Elysia().post("/webhook", handle).listen(Number(process.env.PORT ?? 0))
process.stdout.write(`${JSON.stringify({ msg: "peer started", port: app.server?.port })}\n`)
