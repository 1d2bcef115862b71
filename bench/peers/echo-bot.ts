/**
 * The baseline for P1: the thinnest bot the same stack allows — grammY's webhook handler mounted in Elysia, echoing
 * every text back. No database, no pipeline, no state. Reads BOT_TOKEN, TELEGRAM_API_ROOT, PORT, WEBHOOK_SECRET.
 */
import { Elysia } from "elysia"
import { Bot, webhookCallback } from "grammy"
import "./exit-on-term"

const bot = new Bot(process.env.BOT_TOKEN!, { client: { apiRoot: process.env.TELEGRAM_API_ROOT! } })
bot.on("message:text", (ctx) => ctx.reply(ctx.message.text))
await bot.init()

const handle = webhookCallback(bot, "elysia", { secretToken: process.env.WEBHOOK_SECRET })
const app = new Elysia().post("/webhook", handle).listen(Number(process.env.PORT ?? 0))
process.stdout.write(`${JSON.stringify({ msg: "peer started", port: app.server?.port })}\n`)
