import { cpus, totalmem } from "node:os"
import type { FakeBotApi } from "../test/support/fake-bot-api"

export const machine = () => {
  const cpu = cpus()
  return {
    cpu: `${cpu[0]?.model ?? "?"} × ${cpu.length}`,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    os: `${process.platform} ${process.arch}`,
    bun: Bun.version,
    date: new Date().toISOString(),
  }
}

export const percentile = (xs: ReadonlyArray<number>, p: number) => {
  if (xs.length === 0) return Number.NaN
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

export const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits

/** Resolves with the arrival time (ms) of the next sendMessage to a chat; register before sending. */
export const replyWatcher = (tg: FakeBotApi, method = "sendMessage") => {
  let seen = 0
  const waiters = new Map<number, Array<(at: number) => void>>()
  const timer = setInterval(() => {
    const calls = tg.calls
    for (; seen < calls.length; seen++) {
      const call = calls[seen]!
      if (call.method !== method) continue
      const chat = Number(call.params.chat_id)
      waiters.get(chat)?.shift()?.(call.at)
    }
  }, 1)
  return {
    next: (chatId: number) =>
      new Promise<number>((resolve) => {
        const list = waiters.get(chatId) ?? []
        list.push(resolve)
        waiters.set(chatId, list)
      }),
    stop: () => clearInterval(timer),
  }
}

/** Reads a process's resident set size from /proc (Linux), in MiB. */
export const rssMiB = async (pid: number): Promise<number> => {
  const status = await Bun.file(`/proc/${pid}/status`).text()
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN)
  return round(kb / 1024)
}

export const postUpdate = (port: number, secret: string, update: object) =>
  fetch(`http://127.0.0.1:${port}/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret },
    body: JSON.stringify(update),
  }).then((r) => r.status)
