import { afterAll, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { flushSentry, maskSecrets, releaseName } from "../../src/services/sentry"
import { type SentryEvent, startFakeSentry } from "../support/fake-sentry"

setDefaultTimeout(30_000)

// Secrets are assembled at run time: Sentry ships source lines around stack frames, and a literal in this
// file would then show up in the envelope no matter how well the messages are scrubbed.
const join = (...parts: string[]) => parts.join("")
const BOT_TOKEN = join("123456789", ":AAH", "dj3Kx9_fakeTokenPart-0123456789abcd")
const API_KEY = join("sk-", "proj-", "FAKEkey0123456789abcdefXYZ")
const DB_URL = join("postgres://", "emco_user:", "s3cretPw", "@db.internal:5432/emco")
const LEARNER_LINE = join("Я бы сказал сотруднику, ", "что его отчёт опоздал на три дня")

/**
 * Runs the reporter in its own process, as the bot would: Sentry patches globals (fetch, Bun.serve,
 * uncaught-exception handlers) that must not leak into the other test files of this run.
 */
const DRIVER = `
import * as Sentry from "@sentry/bun"
import { Effect } from "effect"
import { flushSentry, makeSentryReporter } from "./src/services/sentry"
const s = JSON.parse(process.env.SCENARIO ?? "{}")
const reporter = makeSentryReporter({ dsn: process.env.DSN, environment: s.environment, release: s.release })
makeSentryReporter({ dsn: process.env.DSN, environment: "ignored-second-init", release: "ignored" })
if (s.fetchPath) await fetch(new URL(s.fetchPath, process.env.SINK)).catch(() => {})
if (s.user) Sentry.setUser({ id: 1, username: s.user })
if (s.context) Sentry.setContext("dialogue", { text: s.context })
for (const r of s.reports ?? []) {
  const error = r.asString ? r.message : new Error(r.message, r.cause ? { cause: new Error(r.cause) } : undefined)
  await Effect.runPromise(reporter.report(error, r.context))
}
for (const c of s.captures ?? []) Sentry.captureException(new Error(c.message), { extra: c.extra })
process.stdout.write(String(await flushSentry(5000)))
`

const sink = startFakeSentry()
afterAll(() => sink.stop())
beforeEach(() => sink.reset())

const runDriver = async (scenario: Record<string, unknown>, expectedEvents: number) => {
  const proc = Bun.spawn(["bun", "-e", DRIVER], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      DSN: sink.dsn,
      SINK: sink.dsn.replace("public@", "").replace(/\/1$/, ""),
      SCENARIO: JSON.stringify(scenario),
    },
    stdout: "pipe",
    stderr: "pipe",
  })
  const [code, out, err] = await Promise.all([proc.exited, proc.stdout.text(), proc.stderr.text()])
  expect({ code, out, err }).toEqual({ code: 0, out: "true", err: expect.any(String) })
  return sink.waitForEvents(expectedEvents)
}

const tagsOf = (event: SentryEvent | undefined) => event?.tags ?? {}

describe("Sentry reporter (real @sentry/bun → local envelope sink)", () => {
  test("report(error, ids) → one event with the ids as tags, error class, environment and release", async () => {
    const release = releaseName({ GIT_SHA: "0123456789abcdef" })
    const context = { rowId: 42, chatId: 777, updateId: 9001 }
    const events = await runDriver(
      { environment: "staging", release, reports: [{ message: "db exploded", context }] },
      1,
    )
    expect(events).toHaveLength(1)
    const event = events[0]!
    expect(event.environment).toBe("staging")
    expect(event.release).toBe("emco-assessment-bot@0.1.0+0123456789ab")
    expect(tagsOf(event)).toMatchObject({
      rowId: "42",
      chatId: "777",
      updateId: "9001",
      error_class: "Error",
    })
    const exception = (event.exception as { values: { type: string; value: string }[] }).values.at(-1)
    expect(exception).toMatchObject({ type: "Error", value: "db exploded" })
  })

  test("token, API key, database URL and the learner's words → nowhere in the envelopes sent", async () => {
    const message = `send failed for bot${BOT_TOKEN} and ${BOT_TOKEN}; key ${API_KEY}; db ${DB_URL}`
    const events = await runDriver(
      {
        environment: "test",
        release: "emco@test",
        fetchPath: `/bot${BOT_TOKEN}/getMe?key=${API_KEY}`,
        user: LEARNER_LINE,
        context: LEARNER_LINE,
        reports: [
          { message, cause: `connect ${DB_URL}`, context: { rowId: 5, text: LEARNER_LINE, note: API_KEY } },
          { message: `plain string ${API_KEY}`, asString: true, context: { chatId: 6 } },
        ],
        captures: [{ message, extra: { rowId: 7, dialogue: LEARNER_LINE, prompt: message } }],
      },
      3,
    )
    expect(events).toHaveLength(3)
    const everything = sink.rawBodies().join("\n")
    for (const secret of [BOT_TOKEN, API_KEY, DB_URL, "s3cretPw", "dj3Kx9", LEARNER_LINE, "отчёт опоздал"])
      expect(everything).not.toContain(secret)
    // Scrubbing must not empty the events: the ids and the harmless words survive.
    // Envelopes are sent concurrently, so events may arrive in any order.
    const reported = events.find((e) => tagsOf(e).rowId === "5")
    expect(tagsOf(reported)).toEqual({ rowId: "5", error_class: "Error" })
    expect(events.map((e) => e.extra).filter(Boolean)).toEqual([{ rowId: "7" }])
    expect(events.find((e) => tagsOf(e).chatId === "6")).toBeDefined()
    expect(everything).toContain("send failed for [redacted]")
    expect(everything).toContain("/[redacted]/getMe")
  })
})

describe("Sentry helpers", () => {
  test("maskSecrets → bot tokens (bare or in a URL), API keys and credential URLs masked", () => {
    expect(maskSecrets(`a ${BOT_TOKEN} b`)).toBe("a [redacted] b")
    expect(maskSecrets(`https://api.telegram.org/bot${BOT_TOKEN}/getMe`)).toBe(
      "https://api.telegram.org/[redacted]/getMe",
    )
    expect(maskSecrets(`key ${API_KEY}`)).toBe("key [redacted]")
    expect(maskSecrets(`url ${DB_URL}`)).toBe("url [redacted]")
    expect(maskSecrets("amqp://u:p@mq:5672/x down")).toBe("[redacted] down")
    expect(maskSecrets("user 12345 not found")).toBe("user 12345 not found")
  })

  test("releaseName → package version, plus a short sha from SOURCE_COMMIT or GIT_SHA", () => {
    expect(releaseName({})).toBe("emco-assessment-bot@0.1.0")
    expect(releaseName({ SOURCE_COMMIT: "ABCDEF0123456789abcdef0123456789abcdef01" })).toBe(
      "emco-assessment-bot@0.1.0+ABCDEF012345",
    )
    expect(releaseName({ GIT_SHA: "abc1234" })).toBe("emco-assessment-bot@0.1.0+abc1234")
    expect(releaseName({ GIT_SHA: "not a sha; rm -rf" })).toBe("emco-assessment-bot@0.1.0")
  })

  test("flushSentry without init → resolves true at once", async () => {
    expect(await flushSentry(10)).toBe(true)
  })
})
