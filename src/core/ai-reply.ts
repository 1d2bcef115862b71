import { Schema } from "effect"

/**
 * The persona's answer each turn: its line plus a strict boolean per methodology component for the learner's
 * LAST line. Built from the case's component keys; booleans are booleans (the original counted "false" as true).
 */
export const personaTurnSchema = (keys: ReadonlyArray<string>) =>
  // Flags come first: structured outputs are generated in schema order, so the model judges before it answers.
  Schema.Struct({
    ...Object.fromEntries(keys.map((key) => [key, Schema.Boolean])),
    reply: Schema.String,
  }) as unknown as Schema.Codec<PersonaTurn, unknown>

export type PersonaTurn = { readonly reply: string } & Readonly<Record<string, string | boolean>>

export const coveredKeys = (turn: PersonaTurn, keys: ReadonlyArray<string>): string[] =>
  keys.filter((key) => turn[key] === true)

/** The reviewer's assessment of the whole dialogue. */
export const Review = Schema.Struct({
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
export type Review = typeof Review.Type
