import { Schema } from "effect"
import { Review } from "../../src/core/ai-reply"

/**
 * A persona-turn shape for the provider tests (reply first: the converters must keep any order), and the review.
 */
export const PERSONA_FLAGS = ["Behavior", "Result", "Feelings", "Desire"] as const

export const personaTurn = Schema.Struct({
  reply: Schema.String,
  ...Object.fromEntries(PERSONA_FLAGS.map((key) => [key, Schema.Boolean])),
})

/** The reviewer's answer shape, as production declares it (never a copy that could drift). */
export const review = Review
