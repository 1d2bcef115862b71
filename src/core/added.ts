import { Effect, Schema } from "effect"

/** A field added after sessions were first stored: old rows decode with the default instead of failing. */
export const added = <S extends Schema.Top>(schema: S, value: S["Encoded"]) =>
  schema.pipe(Schema.withDecodingDefaultKey(Effect.succeed(value)))
