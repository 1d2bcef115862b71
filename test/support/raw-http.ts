export interface RawPost {
  /** The status the server answered with; null when it closed the connection without a status line. */
  readonly status: number | null
  /** Body bytes handed to the socket before the answer (or the close) came. */
  readonly sentBytes: number
  readonly ms: number
}

const CHUNK = new Uint8Array(64 * 1024).fill(0x61)
const encoder = new TextEncoder()
const FRAMED = new Uint8Array([
  ...encoder.encode(`${CHUNK.length.toString(16)}\r\n`),
  ...CHUNK,
  ...encoder.encode("\r\n"),
])

/**
 * A POST over a raw socket, so a test controls the body the way a hostile client does: `bodyBytes` of filler sent
 * as fast as the socket takes it (chunked, or after a Content-Length header that may claim more), stopping as soon
 * as the server answers or closes. fetch would buffer, retry or hide when the server stopped reading.
 */
export const rawPost = (options: {
  readonly port: number
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly bodyBytes: number
  readonly chunked?: boolean
  readonly declaredLength?: number
}): Promise<RawPost> =>
  new Promise((resolve) => {
    const started = performance.now()
    let sent = 0
    let answer = ""
    let leftover: Uint8Array | null = null
    let done = false
    let ended = false
    const finish = (socket?: { end: () => void }) => {
      if (done) return
      done = true
      socket?.end()
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1]
      resolve({ status: status ? Number(status) : null, sentBytes: sent, ms: performance.now() - started })
    }
    const piece = () =>
      options.chunked ? FRAMED : CHUNK.subarray(0, Math.min(CHUNK.length, options.bodyBytes - sent))
    const pump = (socket: { write: (b: Uint8Array | string) => number }) => {
      while (!done) {
        if (!leftover && sent >= options.bodyBytes) {
          if (options.chunked && !ended) socket.write("0\r\n\r\n")
          ended = true
          return
        }
        const next: Uint8Array = leftover ?? piece()
        const written = socket.write(next)
        if (!leftover) sent += options.chunked ? CHUNK.length : next.length
        leftover = written < next.length ? next.subarray(Math.max(0, written)) : null
        if (leftover) return
      }
    }
    const head = [
      `POST ${options.path} HTTP/1.1`,
      "Host: 127.0.0.1",
      "Content-Type: application/json",
      options.chunked
        ? "Transfer-Encoding: chunked"
        : `Content-Length: ${options.declaredLength ?? options.bodyBytes}`,
      ...Object.entries(options.headers).map(([k, v]) => `${k}: ${v}`),
      "",
      "",
    ].join("\r\n")
    void Bun.connect({
      hostname: "127.0.0.1",
      port: options.port,
      socket: {
        open: (socket) => {
          socket.write(head)
          pump(socket)
        },
        drain: (socket) => pump(socket),
        data: (socket, data) => {
          answer += data.toString()
          if (answer.includes("\r\n")) finish(socket)
        },
        close: () => finish(),
        error: () => finish(),
      },
    }).catch(() => finish())
    setTimeout(() => finish(), 60_000)
  })
