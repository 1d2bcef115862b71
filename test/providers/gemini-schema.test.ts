import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { Schema } from "effect"
import { toGeminiJsonSchema } from "../../src/providers/gemini-schema"
import { StrictSchemaError, toStrictJsonSchema } from "../../src/providers/json-schema"
import { personaTurn, review } from "./schemas"

setDefaultTimeout(30_000)

// The keywords Gemini documents for generationConfig.responseJsonSchema (plus its propertyOrdering).
const SUPPORTED = new Set([
  ...["$id", "$defs", "$ref", "$anchor", "type", "format", "title", "description", "enum", "items"],
  ...["prefixItems", "minItems", "maxItems", "minimum", "maximum", "anyOf", "oneOf", "properties"],
  ...["additionalProperties", "required", "propertyOrdering"],
])

/** Walks a schema and collects what Gemini's responseJsonSchema would not understand. */
const geminiViolations = (node: unknown, at = "root"): string[] => {
  if (typeof node !== "object" || node === null || Array.isArray(node)) return []
  const record = node as Record<string, unknown>
  const own = Object.keys(record).flatMap((k) => (SUPPORTED.has(k) ? [] : [`${at}: ${k}`]))
  if (Array.isArray(record.enum) && !record.enum.every((v) => ["string", "number"].includes(typeof v))) {
    own.push(`${at}: enum of ${record.enum.map((v) => typeof v).join("/")}`)
  }
  const children = [
    ...Object.entries((record.properties ?? {}) as object).map(([k, v]) => [`${at}.${k}`, v] as const),
    ...(Array.isArray(record.anyOf) ? record.anyOf.map((v, i) => [`${at}|${i}`, v] as const) : []),
    ...(record.items === undefined ? [] : [[`${at}[]`, record.items] as const]),
  ]
  return [...own, ...children.flatMap(([path, child]) => geminiViolations(child, path))]
}

describe("toGeminiJsonSchema", () => {
  test("the persona turn keeps the strict shape (closed, all required) and adds the property order", () => {
    const schema = toGeminiJsonSchema(personaTurn)
    expect(schema).toEqual({
      ...toStrictJsonSchema(personaTurn),
      propertyOrdering: ["reply", "Behavior", "Result", "Feelings", "Desire"],
    })
    expect(schema.additionalProperties).toBe(false)
    expect(geminiViolations(schema)).toEqual([])
  })

  test("nested structs in arrays are adapted too", () => {
    const schema = toGeminiJsonSchema(review)
    const components = (schema.properties as Record<string, Record<string, unknown>>).components
    expect(components?.items).toMatchObject({
      propertyOrdering: ["key", "covered", "evidence", "better"],
      required: ["key", "covered", "evidence", "better"],
      additionalProperties: false,
    })
    expect(geminiViolations(schema)).toEqual([])
  })

  test("keywords Gemini lacks are dropped or rewritten; string/number literals and nullables kept", () => {
    const schema = toGeminiJsonSchema(
      Schema.Struct({
        tone: Schema.Literals(["calm", "angry"]),
        level: Schema.Literals([1, 2]),
        done: Schema.Literal(true),
        score: Schema.Finite.check(Schema.isGreaterThan(0)),
        step: Schema.Int.check(Schema.isMultipleOf(5)),
        note: Schema.NullOr(Schema.String),
      }),
    )
    expect(schema.properties).toEqual({
      tone: { type: "string", enum: ["calm", "angry"] },
      level: { type: "number", enum: [1, 2] },
      done: { type: "boolean" },
      score: { type: "number" },
      step: { type: "integer", minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
      note: { anyOf: [{ type: "string" }, { type: "null" }] },
    })
    expect(geminiViolations(schema)).toEqual([])
  })

  test("shapes the strict converter rejects are rejected for Gemini as well", () => {
    expect(() => toGeminiJsonSchema(Schema.Struct({ a: Schema.optional(Schema.String) }))).toThrow(
      StrictSchemaError,
    )
  })
})
