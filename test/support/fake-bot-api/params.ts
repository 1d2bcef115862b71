import type { UploadedFile } from "./request"
import type { FakeState } from "./store"
import { badRequest, type Params } from "./types"

export interface MethodContext {
  params: Params
  files: Map<string, UploadedFile>
  state: FakeState
  /** Aborts when the client goes away. */
  signal: AbortSignal
}

export type Handler = (ctx: MethodContext) => unknown

export function intParam(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isInteger(value)) return value
  if (typeof value === "string" && /^-?\d+$/.test(value)) return Number(value)
  return undefined
}

export function numberParam(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value)
  return undefined
}

export function boolParam(value: unknown): boolean {
  return value === true || value === "true" || value === 1 || value === "1"
}

export function chatIdOf(params: Params): number {
  const raw = params.chat_id
  if (raw === undefined || raw === null || raw === "") throw badRequest("chat_id is empty")
  const id = intParam(raw)
  if (id === undefined || id === 0) throw badRequest("chat not found")
  return id
}

/** Parses JSON-string values that form transports send for arrays and objects. */
export function jsonParam(value: unknown): unknown {
  if (typeof value !== "string") return value
  try {
    return JSON.parse(value)
  } catch {
    return value
  }
}
