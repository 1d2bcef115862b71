import { cases } from "../src/cases/registry"
import { requestsNamed, scriptRoleplay } from "../test/support/ai-script"
import type { FreshDatabase } from "../test/support/database"
import { type FakeBotApi, startFakeBotApi } from "../test/support/fake-bot-api"
import { type FakeOpenAi, startFakeOpenAi } from "../test/support/fake-openai"
import { testEnv, WEBHOOK_SECRET } from "../test/support/harness"
import { spawnBot } from "../test/support/process"
import { textUpdate } from "../test/support/updates"
import { percentile, postUpdate, round } from "./support"

const spec = cases[0]!
export const P3_TURNS = 200
const PERSONA_LINE = "Понятно."
const marker = (chatId: number) => `Коллега, обсудим сроки отчёта (${chatId})`

const waitUntil = async (ok: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs
  while (!ok() && Date.now() < deadline) await Bun.sleep(5)
  return ok()
}

/**
 * Opens the case for every learner and waits until the bot has gone quiet (the intro, and an opening line if the
 * case has one, come quickly: the AI answers in 10 ms meanwhile), then sends each one line at the given spacing
 * with the AI answering in `latencyMs`.
 */
const turns = async (
  tg: FakeBotApi,
  ai: FakeOpenAi,
  port: number,
  chats: number[],
  spacingMs: number,
  latencyMs: number,
) => {
  ai.setLatency(10)
  for (const chatId of chats)
    await postUpdate(port, WEBHOOK_SECRET, textUpdate(`/${spec.commands.start}`, { chatId, userId: chatId }))
  await waitUntil(() => chats.every((c) => tg.chat(c).length > 0), 60_000)
  for (let quiet = tg.calls.length; ; quiet = tg.calls.length) {
    await Bun.sleep(1000)
    if (tg.calls.length === quiet) break
  }
  ai.reset()
  scriptRoleplay(ai, spec, [])
  ai.setLatency(latencyMs)
  const from = tg.calls.length
  const sentAt = new Map<number, number>()
  for (const chatId of chats) {
    sentAt.set(chatId, Date.now())
    void postUpdate(port, WEBHOOK_SECRET, textUpdate(marker(chatId), { chatId, userId: chatId }))
    if (spacingMs > 0) await Bun.sleep(spacingMs)
  }
  // Read incrementally: this process also runs both fakes, and a costly poll would delay the very answers it times.
  const replies = new Map<number, number>()
  const signs = new Map<number, number>()
  let scanned = from
  const allAnswered = () => {
    for (; scanned < tg.calls.length; scanned++) {
      const c = tg.calls[scanned]!
      const chatId = Number(c.params.chat_id)
      const isSign = c.method === "sendChatAction" || c.method === "sendMessageDraft"
      if (isSign && !signs.has(chatId)) signs.set(chatId, c.at)
      const isText = c.method === "sendMessage" || c.method === "editMessageText"
      // The persona's line (the scripted default), not a «you are in the queue» notice.
      if (isText && String(c.params.text).includes(PERSONA_LINE) && !replies.has(chatId))
        replies.set(chatId, c.at)
    }
    return chats.every((c) => replies.has(c))
  }
  await waitUntil(allAnswered, 180_000)
  // Each line asks the persona and, beside it, the judge: the turn waits for both.
  const asked = (name: string) =>
    new Map(
      requestsNamed(ai, name).flatMap((r) => {
        const chatId = chats.find((c) => JSON.stringify(r.body).includes(marker(c)))
        return chatId === undefined ? [] : [[chatId, r] as const]
      }),
    )
  const persona = asked("persona_reply")
  const judge = asked("judge_line")
  return chats.map((chatId) => {
    const calls = [persona.get(chatId), judge.get(chatId)]
    const both = calls.every((r) => r?.answeredAt !== undefined)
    return {
      chatId,
      sentAt: sentAt.get(chatId)!,
      request: both ? Math.min(...calls.map((r) => r!.at)) : undefined,
      answered: both ? Math.max(...calls.map((r) => r!.answeredAt!)) : undefined,
      /** How much later the judge was asked than the persona, and how much longer the turn waited for it. */
      judgeStartGap: both ? Math.abs(calls[1]!.at - calls[0]!.at) : undefined,
      judgeExtraWait: both ? Math.max(0, calls[1]!.answeredAt! - calls[0]!.answeredAt!) : undefined,
      reply: replies.get(chatId),
      sign: signs.get(chatId),
    }
  })
}

/** P3 (the bot's own share of an AI turn, time to the first sign of work) and P4 (300 turns at once, 2 s AI). */
export const runP3P4 = async (database: FreshDatabase) => {
  const tg = await startFakeBotApi()
  const ai = startFakeOpenAi()
  scriptRoleplay(ai, spec, [])
  const env = {
    ...testEnv(tg, database, "webhook", ai),
    LOG_LEVEL: "info",
    AUTH_PASSWORD_USER: "",
    AUTH_PASSWORD_ADMIN: "",
  }
  const bot = spawnBot({ ...env, AI_DAILY_TURNS_PER_USER: "1000" })
  const port = Number((await bot.waitForLog("bot started", 60_000)).webhookPort)

  // Warm-up, not measured: a fresh process runs its first few hundred turns through cold, unoptimised code (the
  // JIT), which is not what a learner meets in a bot that has been up for a while.
  await turns(
    tg,
    ai,
    port,
    Array.from({ length: 150 }, (_, i) => 1_000_001 + i),
    10,
    10,
  )
  const latency = 500
  const p3 = await turns(
    tg,
    ai,
    port,
    // 200 turns: the p95 is then the 10th-slowest, not one stray pause of the machine.
    Array.from({ length: P3_TURNS }, (_, i) => 2_000_001 + i),
    100,
    latency,
  )
  // The AI's answer is timed when the fake sent it, so the fake's own timer slack is not counted as the bot's.
  const added = p3.flatMap((t) =>
    t.request && t.answered && t.reply ? [t.request - t.sentAt + (t.reply - t.answered)] : [],
  )
  const toRequest = p3.flatMap((t) => (t.request ? [t.request - t.sentAt] : []))
  const toReply = p3.flatMap((t) => (t.answered && t.reply ? [t.reply - t.answered] : []))
  const firstSign = p3.flatMap((t) => (t.sign ? [t.sign - t.sentAt] : []))
  const judgeStartGap = p3.flatMap((t) => (t.judgeStartGap === undefined ? [] : [t.judgeStartGap]))
  const judgeExtraWait = p3.flatMap((t) => (t.judgeExtraWait === undefined ? [] : [t.judgeExtraWait]))

  // P4: 300 learners at once, a 2 s AI, the default limit of 16 requests in flight.
  const limit = 16
  const chats = Array.from({ length: 300 }, (_, i) => 3_000_001 + i)
  const crowd = await turns(tg, ai, port, chats, 0, 2000)
  const firstSent = Math.min(...crowd.map((t) => t.sentAt))
  const lastReply = Math.max(...crowd.map((t) => t.reply ?? Number.POSITIVE_INFINITY))

  bot.proc.kill("SIGTERM")
  await bot.exited
  await tg.stop()
  await ai.stop()
  return {
    p4: {
      turns: crowd.length,
      answered: crowd.filter((t) => t.reply !== undefined).length,
      totalSeconds: round((lastReply - firstSent) / 1000),
      // Two requests per turn (the persona and the judge) through the same limit.
      idealSeconds: Math.ceil((2 * chats.length) / limit) * 2,
      peakInFlight: ai.maxConcurrent,
      limit,
    },
    p3: {
      turns: p3.length,
      answered: added.length,
      p50: percentile(added, 50),
      p95: percentile(added, 95),
      firstSignP95: percentile(firstSign, 95),
      toRequest: { p50: percentile(toRequest, 50), p95: percentile(toRequest, 95) },
      toReply: { p50: percentile(toReply, 50), p95: percentile(toReply, 95) },
      judgeStartGapP95: percentile(judgeStartGap, 95),
      judgeExtraWaitP95: percentile(judgeExtraWait, 95),
    },
  }
}
