import { Data } from "effect"

export type SheetsExportReason = "no_credentials" | "not_found" | "api"

/** Every failure of the export. Messages are Russian + English and never carry keys, tokens or JSON. */
export class SheetsExportError extends Data.TaggedError("SheetsExportError")<{
  readonly reason: SheetsExportReason
  readonly message: string
  /** HTTP status of the failed Google call, when there was one. */
  readonly status?: number
}> {}

const statusOf = (error: unknown): number | undefined => {
  if (typeof error !== "object" || error === null) return undefined
  const e = error as { status?: unknown; response?: { status?: unknown } }
  const status = e.status ?? e.response?.status
  return typeof status === "number" ? status : undefined
}

/** Google's own error text (`{ error: { message } }`), cut short; never the request (it holds the token). */
const googleMessage = (error: unknown): string => {
  const data = (error as { response?: { data?: unknown } } | undefined)?.response?.data
  const message =
    typeof data === "object" && data !== null
      ? (data as { error?: { message?: unknown } }).error?.message
      : undefined
  if (typeof message === "string") return message.slice(0, 300)
  if (!(error instanceof Error) || statusOf(error) !== undefined) return "no details"
  // Network or token failures: their text names the host or the OAuth error, scrubbed of anything token-like.
  return error.message
    .replace(/Bearer\s+\S+/gi, "Bearer ***")
    .replace(/-----BEGIN[\s\S]*/, "…")
    .slice(0, 300)
}

/** Wraps a failed Google call: 404 → not_found, anything else → api. */
export const toExportError = (error: unknown, what: string): SheetsExportError => {
  if (error instanceof SheetsExportError) return error
  const status = statusOf(error)
  const detail = `${what}: ${status === undefined ? "" : `HTTP ${status}, `}${googleMessage(error)}`
  // 401/403: a revoked key or a spreadsheet not shared with the service account — an access problem, not a retry.
  if (status === 404 || status === 401 || status === 403) {
    return new SheetsExportError({
      reason: "not_found",
      message: `Таблица не найдена или нет доступа / spreadsheet not found or not shared (${detail})`,
      status,
    })
  }
  return new SheetsExportError({
    reason: "api",
    message: `Ошибка Google API / Google API error (${detail})`,
    ...(status === undefined ? {} : { status }),
  })
}

/** Runs one Google call and turns its failure into a SheetsExportError. */
export const guarded = async <A>(what: string, run: () => Promise<A>): Promise<A> => {
  try {
    return await run()
  } catch (error) {
    throw toExportError(error, what)
  }
}
