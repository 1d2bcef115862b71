import { recordOutput } from "./leak-scan"
/** One item of a Sentry envelope: its header (`type`, optional `length`) and its payload, parsed if JSON. */
export interface EnvelopeItem {
  readonly header: Record<string, unknown>
  readonly payload: unknown
}

export interface Envelope {
  readonly header: Record<string, unknown>
  readonly items: ReadonlyArray<EnvelopeItem>
}

export type SentryEvent = Record<string, unknown> & {
  readonly environment?: string
  readonly release?: string
  readonly tags?: Record<string, string>
}

export interface FakeSentry {
  /** `http://public@127.0.0.1:<port>/1`: the SDK posts envelopes to `/api/1/envelope/`. */
  readonly dsn: string
  readonly envelopes: () => ReadonlyArray<Envelope>
  /** Payloads of `event` items (errors and messages), in arrival order. */
  readonly events: () => ReadonlyArray<SentryEvent>
  /** Every request body as received (after gunzip), for scanning what left the process. */
  readonly rawBodies: () => ReadonlyArray<string>
  readonly waitForEvents: (count: number, timeoutMs?: number) => Promise<ReadonlyArray<SentryEvent>>
  readonly reset: () => void
  readonly stop: () => Promise<void>
}

const NEWLINE = 0x0a

const tryJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/**
 * Envelope format: a header line, then per item a header line and a payload that is either `length` bytes
 * (when the item header says so) or the rest of the line.
 */
export const parseEnvelope = (bytes: Uint8Array): Envelope => {
  const decoder = new TextDecoder()
  let at = 0
  const line = (): string => {
    let end = bytes.indexOf(NEWLINE, at)
    if (end < 0) end = bytes.length
    const text = decoder.decode(bytes.subarray(at, end))
    at = end + 1
    return text
  }
  const header = JSON.parse(line()) as Record<string, unknown>
  const items: EnvelopeItem[] = []
  while (at < bytes.length) {
    const headerLine = line()
    if (headerLine.trim() === "") continue
    const itemHeader = JSON.parse(headerLine) as Record<string, unknown>
    let payload: string
    if (typeof itemHeader.length === "number") {
      payload = decoder.decode(bytes.subarray(at, at + itemHeader.length))
      at += itemHeader.length + 1
    } else payload = line()
    items.push({ header: itemHeader, payload: tryJson(payload) })
  }
  return { header, items }
}

/** A 127.0.0.1 stand-in for sentry.io that records every envelope; answers 200 like the real ingest. */
export const startFakeSentry = (): FakeSentry => {
  const envelopes: Envelope[] = []
  const raw: string[] = []
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: async (request) => {
      const url = new URL(request.url)
      if (request.method !== "POST" || !/^\/api\/\d+\/envelope\/$/.test(url.pathname))
        return new Response("not found", { status: 404 })
      let bytes = new Uint8Array(await request.arrayBuffer())
      if (request.headers.get("content-encoding") === "gzip") bytes = new Uint8Array(Bun.gunzipSync(bytes))
      const body = new TextDecoder().decode(bytes)
      raw.push(body)
      recordOutput(body)
      envelopes.push(parseEnvelope(bytes))
      return Response.json({ id: crypto.randomUUID().replaceAll("-", "") })
    },
  })
  const events = () =>
    envelopes.flatMap((e) =>
      e.items.filter((i) => i.header.type === "event").map((i) => i.payload as SentryEvent),
    )
  const waitForEvents = async (count: number, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs
    while (events().length < count) {
      if (Date.now() > deadline) throw new Error(`fake Sentry: ${events().length}/${count} events`)
      await Bun.sleep(10)
    }
    return events()
  }
  return {
    dsn: `http://public@127.0.0.1:${server.port}/1`,
    envelopes: () => envelopes,
    events,
    rawBodies: () => raw,
    waitForEvents,
    reset: () => {
      envelopes.length = 0
      raw.length = 0
    },
    stop: () => server.stop(true),
  }
}
