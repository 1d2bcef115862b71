import { afterEach, describe, expect, test } from "bun:test"
import { HttpError, InputFile, InputMediaBuilder } from "grammy"
import { makeMetrics } from "../../src/services/metrics"
import { createApi } from "../../src/services/telegram"

const TOKEN = "123456:TEST"

interface Seen {
  /** When the request arrived (performance.now()). */
  readonly at: number
  readonly path: string
  readonly contentType: string | null
  readonly body: string
}

// A Bot API stand-in whose answers the test scripts: raw text, so an unreadable answer can be given too.
const serve = (answers: Array<(method: string) => Response>) => {
  const seen: Seen[] = []
  const server = Bun.serve({
    port: 0,
    fetch: async (request) => {
      const path = new URL(request.url).pathname
      const at = performance.now()
      seen.push({ at, path, contentType: request.headers.get("content-type"), body: await request.text() })
      const answer = answers.shift() ?? (() => Response.json({ ok: true, result: true }))
      return answer(path.split("/").at(-1) ?? "")
    },
  })
  return { seen, root: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) }
}

const message = (text: string) =>
  Response.json({ ok: true, result: { message_id: 7, date: 0, chat: { id: 1, type: "private" }, text } })

let stop: (() => unknown) | undefined
afterEach(() => stop?.())

describe("Bot API calls without files (sent straight as JSON)", () => {
  test("sendMessage → one JSON POST to /bot<token>/sendMessage with the fields given; Telegram's result back", async () => {
    const fake = serve([() => message("привет")])
    stop = fake.stop
    const api = createApi(TOKEN, fake.root, makeMetrics())
    const sent = await api.sendMessage(1, "привет", {
      parse_mode: "HTML",
      reply_markup: { inline_keyboard: [[{ text: "Да", callback_data: "yes" }]] },
    })
    expect(sent.message_id).toBe(7)
    expect(fake.seen).toHaveLength(1)
    expect(fake.seen[0]!.path).toBe(`/bot${TOKEN}/sendMessage`)
    expect(fake.seen[0]!.contentType).toBe("application/json")
    expect(JSON.parse(fake.seen[0]!.body)).toEqual({
      chat_id: 1,
      text: "привет",
      parse_mode: "HTML",
      reply_markup: { inline_keyboard: [[{ text: "Да", callback_data: "yes" }]] },
    })
  })

  test("an unreadable answer (not JSON) → an HttpError, so auto-retry asks again; the second answer counts", async () => {
    const fake = serve([() => new Response("<html>bad gateway</html>"), () => message("ещё раз")])
    stop = fake.stop
    const api = createApi(TOKEN, fake.root, makeMetrics())
    const sent = await api.sendMessage(1, "ещё раз")
    expect(sent.text).toBe("ещё раз")
    expect(fake.seen).toHaveLength(2)
  })

  test("nobody listening → grammY's HttpError (without retries: the error the caller sees)", async () => {
    const fake = serve([])
    fake.stop()
    const api = createApi(TOKEN, fake.root, makeMetrics(), false)
    const error = await api.sendChatAction(1, "typing").catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HttpError)
    expect((error as HttpError).message).toBe("Network request for 'sendChatAction' failed!")
  })

  test("Telegram's refusal (400) → GrammyError with its description, as before", async () => {
    const fake = serve([
      () => Response.json({ ok: false, error_code: 400, description: "Bad Request: chat not found" }),
    ])
    stop = fake.stop
    const api = createApi(TOKEN, fake.root, makeMetrics())
    const error = await api.sendMessage(1, "x").catch((e: unknown) => e)
    expect((error as { description?: string }).description).toBe("Bad Request: chat not found")
  })

  test("a method that may carry a file (sendDocument) → still grammY's multipart upload", async () => {
    const fake = serve([
      () =>
        Response.json({
          ok: true,
          result: { message_id: 8, date: 0, chat: { id: 1, type: "private" }, document: { file_id: "f" } },
        }),
    ])
    stop = fake.stop
    const api = createApi(TOKEN, fake.root, makeMetrics())
    await api.sendDocument(1, new InputFile(new TextEncoder().encode("a,b"), "report.csv"))
    expect(fake.seen[0]!.contentType).toStartWith("multipart/form-data")
  })
})

test("a file given to a JSON-only method → the caller's error at once, nothing sent, nothing retried", async () => {
  const fake = serve([])
  stop = fake.stop
  const api = createApi(TOKEN, fake.root, makeMetrics())
  const file = new InputFile(new TextEncoder().encode("x"), "x.txt")
  const error = await api.raw
    .sendMessage({ chat_id: 1, text: file as unknown as string })
    .catch((e: unknown) => e)
  expect(error).toBeInstanceOf(Error)
  expect(error).not.toBeInstanceOf(HttpError)
  expect(fake.seen).toEqual([])
})

describe("the bot's client counts what it posts in the shared pacer", () => {
  test("albums of ten are paced as ten sends each: four in a row take a second, no second holds more than 30", async () => {
    const fake = serve([])
    stop = fake.stop
    const token = "654321:ALBUM"
    const api = createApi(token, fake.root, makeMetrics())
    const album = Array.from({ length: 10 }, (_, i) =>
      InputMediaBuilder.document(new InputFile(new TextEncoder().encode(`file ${i}`), `f${i}.txt`)),
    )
    await Promise.all(Array.from({ length: 4 }, () => api.sendMediaGroup(1, album)))
    expect(fake.seen.map((s) => s.path)).toEqual(Array(4).fill(`/bot${token}/sendMediaGroup`))
    // Where the albums arrived: the pacer keeps 30 to 1,020 ms by its own clock; over 800 ms a request may arrive up
    // to 220 ms late (a loaded machine) without a false alarm. Sent at once, all 40 arrive together.
    const arrived = fake.seen.map((s) => s.at).sort((a, b) => a - b)
    expect(arrived[3]! - arrived[0]!).toBeGreaterThan(800)
    const within = (from: number) => arrived.filter((at) => at >= from && at - from < 800).length * 10
    expect(Math.max(...arrived.map(within))).toBeLessThanOrEqual(30)
  })
})
