import type { Input } from "./model"

/** The limits a learner's text and voice must keep (from the configuration), and their pure checks. */

export interface TextLimits {
  readonly min: number
  readonly max: number
  readonly maxLines: number
}

export interface VoiceLimits {
  readonly minSec: number
  readonly maxSec: number
  /** VOICE_MAX_SIZE_MB, capped by the Bot API's 20 MB getFile limit. */
  readonly maxBytes: number
}

/** Voice limits from metadata, checked before anything is downloaded. Pure. */
export const applyVoiceLimits = (input: Input, limits: VoiceLimits): Input => {
  if (input._tag !== "Voice") return input
  if (input.durationSec < limits.minSec)
    return { _tag: "Rejected", reason: "voice_too_short", limit: limits.minSec }
  if (input.durationSec > limits.maxSec)
    return { _tag: "Rejected", reason: "voice_too_long", limit: limits.maxSec }
  if (input.sizeBytes !== null && input.sizeBytes > limits.maxBytes)
    return { _tag: "Rejected", reason: "voice_too_big", limit: Math.round(limits.maxBytes / 100_000) / 10 }
  return input
}

/** Text limits (TEXT_MIN/MAX_LENGTH, TEXT_MAX_LINES), counted in characters as a person sees them. Pure. */
export const applyTextLimits = (input: Input, limits: TextLimits): Input => {
  if (input._tag !== "Text") return input
  const length = [...input.text].length
  if (length < limits.min) return { _tag: "Rejected", reason: "too_short", limit: limits.min }
  if (length > limits.max) return { _tag: "Rejected", reason: "too_long", limit: limits.max }
  if (input.text.split("\n").length > limits.maxLines)
    return { _tag: "Rejected", reason: "too_many_lines", limit: limits.maxLines }
  return input
}
