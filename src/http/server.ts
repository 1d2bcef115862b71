import { createHash, timingSafeEqual } from "node:crypto"
import { Elysia } from "elysia"
import type { Update } from "grammy/types"
import type { Registry } from "prom-client"

export type Lifecycle = "starting" | "ready" | "draining"

export interface ServerDeps {
  readonly lifecycle: () => Lifecycle
  /** Resolves when the database answers; the /ready probe gives it two seconds. */
  readonly pingDb: () => Promise<unknown>
  readonly registry: Registry
  readonly beforeScrape: () => Promise<void>
  readonly onError: (where: string, error: unknown) => void
}

export interface WebhookDeps {
  readonly path: string
  readonly secret: string
  /** Stores the update; resolves once it is durable. */
  readonly store: (update: Update) => Promise<unknown>
}

const digest = (s: string) => createHash("sha256").update(s).digest()
const sameSecret = (given: string | undefined, expected: string) =>
  given !== undefined && timingSafeEqual(digest(given), digest(expected))

const isUpdate = (body: unknown): body is Update =>
  typeof body === "object" &&
  body !== null &&
  Number.isSafeInteger((body as { update_id?: unknown }).update_id)

const withTimeout = <A>(p: Promise<A>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), ms))])

/** Liveness, readiness and Prometheus metrics: on the metrics port in every mode, and next to the webhook. */
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
        await withTimeout(deps.pingDb(), 2000)
        return { status: "ready" }
      } catch {
        set.status = 503
        return { status: "database unavailable" }
      }
    })
    .get("/metrics", async ({ set }) => {
      await deps.beforeScrape().catch((e) => deps.onError("metrics", e))
      set.headers["content-type"] = deps.registry.contentType
      return deps.registry.metrics()
    })

/**
 * The Telegram webhook: checks the secret header (401 otherwise), answers 200 as soon as the update is stored,
 * and 503 while draining or when storage fails, so Telegram delivers it again instead of it being lost.
 */
export const webhookRoute = (deps: ServerDeps, hook: WebhookDeps) =>
  new Elysia().post(hook.path, async ({ body, headers, set }) => {
    if (!sameSecret(headers["x-telegram-bot-api-secret-token"], hook.secret)) {
      set.status = 401
      return "unauthorized"
    }
    if (deps.lifecycle() !== "ready") {
      set.status = 503
      return "not ready"
    }
    if (!isUpdate(body)) {
      set.status = 400
      return "bad update"
    }
    try {
      await hook.store(body)
      return "ok"
    } catch (error) {
      deps.onError("webhook", error)
      set.status = 503
      return "retry later"
    }
  })
