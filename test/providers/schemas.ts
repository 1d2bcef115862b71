import { Schema } from "effect"

/** The two answer shapes the bot asks for, as their callers build them. */
export const PERSONA_FLAGS = ["Behavior", "Result", "Feelings", "Desire"] as const

export const personaTurn = Schema.Struct({
  reply: Schema.String,
  ...Object.fromEntries(PERSONA_FLAGS.map((key) => [key, Schema.Boolean])),
})

export const review = Schema.Struct({
  overall: Schema.String,
  components: Schema.Array(
    Schema.Struct({
      key: Schema.String,
      covered: Schema.Boolean,
      evidence: Schema.String,
      better: Schema.String,
    }),
  ),
  strengths: Schema.Array(Schema.String),
  growth: Schema.Array(Schema.String),
})
