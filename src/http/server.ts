import { createHash, timingSafeEqual } from "node:crypto"
import { Elysia } from "elysia"
import type { Update } from "grammy/types"
import type { Registry } from "prom-client"
import { readAtMost } from "../lib/read-at-most"
import { answerWithin } from "../lib/within"

export type Lifecycle = "starting" | "ready" | "draining"

export interface ServerDeps {
  readonly lifecycle: () => Lifecycle
  /** Resolves when the database answers; the /ready probe gives it two seconds. */
  readonly pingDb: () => Promise<unknown>
  readonly registry: Registry
  readonly onError: (where: string, error: unknown) => void
}

export interface WebhookDeps {
  readonly path: string
  readonly secret: string
  /** Stores the update; resolves once it is durable (or once it is recorded as refused for good). */
  readonly store: (update: Update) => Promise<unknown>
}

/** Telegram's updates weigh a few kilobytes; a body past this is refused unread. */
export const MAX_UPDATE_BYTES = 1024 * 1024

const digest = (s: string) => createHash("sha256").update(s).digest()
/** Compares in constant time; the expected secret is hashed once, not on every request. */
const secretCheck = (expected: string) => {
  const wanted = digest(expected)
  return (given: string | null) => given !== null && timingSafeEqual(digest(given), wanted)
}

const isUpdate = (body: unknown): body is Update =>
  typeof body === "object" &&
  body !== null &&
  Number.isSafeInteger((body as { update_id?: unknown }).update_id)

/** Liveness, readiness and Prometheus metrics: on METRICS_PORT only, never next to the public webhook. */
export const opsRoutes = (deps: ServerDeps) =>
  new Elysia()
    .get("/health", () => ({ status: "ok" }))
    .get("/ready", async ({ set }) => {
      const state = deps.lifecycle()
      if (state !== "ready") {
        set.status = 503
        return { status: state }
      }
      try {
        await answerWithin(deps.pingDb(), 2000)
        return { status: "ready" }
      } catch {
        set.status = 503
        return { status: "database unavailable" }
      }
    })
    // Database gauges are set on a timer (db-gauges.ts): a scrape reads memory only.
    .get("/metrics", async ({ set }) => {
      set.headers["content-type"] = deps.registry.contentType
      return deps.registry.metrics()
    })

// A refusal may leave most of a body unsent: the connection is closed rather than drained.
const refuse = (status: number, text: string) =>
  new Response(text, { status, headers: { connection: "close" } })

/**
 * The body as text; null as soon as it passes `limit` bytes (declared or counted). A declared length within the
 * limit bounds the body by HTTP framing, so it is read whole by Bun (a JS stream reader per request cost more CPU
 * than the rest of the intake); a chunked body (or one declaring both) is read as a stream and counted.
 */
const readLimited = async (request: Request, limit: number): Promise<string | null> => {
  const length = request.headers.get("content-length")
  const declared = Number(length ?? 0)
  if (length !== null && declared <= limit && !request.headers.has("transfer-encoding")) return request.text()
  const bytes = await readAtMost(request.body, declared, limit)
  return bytes === null ? null : new TextDecoder().decode(bytes)
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * One webhook request: the secret header first (401, body unread), then the size (413 past 1 MB, body never
 * buffered whole), then the update is stored: 200 once it is durable, 503 while draining or when storage fails, so
 * Telegram delivers it again instead of it being lost.
 */
const receive = async (
  deps: ServerDeps,
  hook: WebhookDeps,
  sameSecret: (given: string | null) => boolean,
  request: Request,
): Promise<Response> => {
  if (!sameSecret(request.headers.get("x-telegram-bot-api-secret-token"))) return refuse(401, "unauthorized")
  if (deps.lifecycle() !== "ready") return refuse(503, "not ready")
  const text = await readLimited(request, MAX_UPDATE_BYTES).catch(() => undefined)
  if (text === null) return refuse(413, "too large")
  const body = text === undefined ? undefined : parseJson(text)
  if (!isUpdate(body)) return new Response("bad update", { status: 400 })
  try {
    await hook.store(body)
    return new Response("ok")
  } catch (error) {
    deps.onError("webhook", error)
    return new Response("retry later", { status: 503 })
  }
}

/** The Telegram webhook, alone on its port. Elysia does not parse the body: `receive` reads it, within limits. */
export const webhookRoute = (deps: ServerDeps, hook: WebhookDeps) => {
  const sameSecret = secretCheck(hook.secret)
  return new Elysia().post(hook.path, ({ request }) => receive(deps, hook, sameSecret, request), {
    parse: "none",
  })
}
