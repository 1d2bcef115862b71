import {
  type Answer,
  type BodyFault,
  type Fault,
  type FaultStatus,
  normalizeAnswer,
  parseBody,
  type RecordedRequest,
  type Responder,
  type TextAnswer,
} from "./fake-http"

export interface RouteContext {
  request: Request
  url: URL
  recorded: RecordedRequest
  /** A malformed/empty fault to apply to this answer, if one was queued for it. */
  fault: BodyFault | undefined
}

interface QueuedFault {
  fault: Fault
  remaining: number
  match: FaultMatch | undefined
}

/** Which requests a queued fault is for: a path fragment, or any test of the recorded request. */
export type FaultMatch = string | ((request: RecordedRequest) => boolean)

/**
 * Bun.serve on 127.0.0.1 with an ephemeral port. Handles what every fake shares: recording,
 * concurrency tracking, latency, the fault queue and the scripted-answer queue. Subclasses
 * provide authentication, the provider's error format and the routes.
 */
export abstract class FakeHttpServer {
  readonly url: string
  readonly requests: RecordedRequest[] = []
  private readonly server: ReturnType<typeof Bun.serve>
  private faults: QueuedFault[] = []
  private answers: Answer[] = []
  private responder: Responder | undefined
  private latencyMs = 0
  private current = 0
  private peak = 0
  private readonly lifetime = new AbortController()

  constructor(private readonly defaultAnswer: string) {
    this.server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      // A hung request must stay open until the client gives up, however long that takes.
      idleTimeout: 0,
      fetch: (request) => this.handle(request),
    })
    this.url = `http://127.0.0.1:${this.server.port}`
  }

  /** Requests being handled right now. */
  get inFlight(): number {
    return this.current
  }

  /** The highest number of requests that were in flight at once since start or reset. */
  get maxConcurrent(): number {
    return this.peak
  }

  requestsTo(pathPart: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path.includes(pathPart))
  }

  lastRequest(pathPart = ""): RecordedRequest | undefined {
    return this.requestsTo(pathPart).at(-1)
  }

  /** The next `times` requests (that `match`, if given) get `fault` instead of an answer. */
  failNext(fault: Fault, times = 1, match?: FaultMatch): void {
    this.faults.push({ fault, remaining: times, match })
  }

  /** Answers consumed in order by the text endpoints; each faulted request leaves them untouched. */
  script(...answers: Answer[]): void {
    this.answers.push(...answers)
  }

  /** Answers text requests when nothing is scripted; returning undefined falls back to the default. */
  setResponder(responder: Responder | undefined): void {
    this.responder = responder
  }

  /** Fixed delay before every answer (faults included). */
  setLatency(ms: number): void {
    this.latencyMs = ms
  }

  reset(): void {
    this.requests.length = 0
    this.faults = []
    this.answers = []
    this.responder = undefined
    this.latencyMs = 0
    this.peak = this.current
  }

  async stop(): Promise<void> {
    this.lifetime.abort()
    await this.server.stop(true)
  }

  protected abstract authenticate(recorded: RecordedRequest, url: URL): Response | undefined
  protected abstract errorResponse(
    status: FaultStatus | 403,
    retryAfterSec?: number,
    message?: string,
  ): Response
  protected abstract route(context: RouteContext): Promise<Response>

  protected async nextAnswer(recorded: RecordedRequest): Promise<TextAnswer> {
    const scripted = this.answers.shift()
    if (scripted !== undefined) return normalizeAnswer(scripted)
    const dynamic = this.responder ? await this.responder(recorded) : undefined
    return normalizeAnswer(dynamic ?? this.defaultAnswer)
  }

  private takeFault(recorded: RecordedRequest): Fault | undefined {
    const matches = ({ match }: QueuedFault) =>
      match === undefined || (typeof match === "string" ? recorded.path.includes(match) : match(recorded))
    const queued = this.faults.find(matches)
    if (!queued) return undefined
    queued.remaining -= 1
    if (queued.remaining <= 0) this.faults = this.faults.filter((f) => f !== queued)
    return queued.fault
  }

  /** Resolves after `ms` (or never, if undefined), or early when the client aborts or the server stops. */
  private wait(request: Request, ms?: number): Promise<void> {
    const signals = [request.signal, this.lifetime.signal]
    return new Promise((resolve) => {
      if (signals.some((s) => s.aborted)) return resolve()
      const timer = ms === undefined ? undefined : setTimeout(resolve, ms)
      const onAbort = () => {
        clearTimeout(timer)
        resolve()
      }
      for (const s of signals) s.addEventListener("abort", onAbort, { once: true })
    })
  }

  private gone(request: Request): boolean {
    return request.signal.aborted || this.lifetime.signal.aborted
  }

  private async handle(request: Request): Promise<Response> {
    this.current += 1
    this.peak = Math.max(this.peak, this.current)
    try {
      const url = new URL(request.url)
      const recorded: RecordedRequest = {
        path: url.pathname,
        method: request.method,
        query: Object.fromEntries(url.searchParams),
        headers: Object.fromEntries(request.headers),
        body: await parseBody(request),
        at: Date.now(),
      }
      this.requests.push(recorded)
      const denied = this.authenticate(recorded, url)
      if (denied) return denied
      if (this.latencyMs > 0) await this.wait(request, this.latencyMs)
      const fault = this.gone(request) ? undefined : this.takeFault(recorded)
      if (fault?.kind === "delay") await this.wait(request, fault.ms)
      if (fault?.kind === "hang") await this.wait(request)
      // Nobody is listening any more: do not consume a scripted answer for them.
      if (this.gone(request)) return new Response(null, { status: 499 })
      if (fault?.kind === "status") {
        return this.errorResponse(fault.status, "retryAfterSec" in fault ? fault.retryAfterSec : undefined)
      }
      const bodyFault = fault?.kind === "malformed" || fault?.kind === "empty" ? fault : undefined
      const answer = await this.route({ request, url, recorded, fault: bodyFault })
      recorded.answeredAt = Date.now()
      return answer
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      return this.errorResponse(500, undefined, `fake server bug: ${message}`)
    } finally {
      this.current -= 1
    }
  }
}
