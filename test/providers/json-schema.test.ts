import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { Schema } from "effect"
import { StrictSchemaError, toStrictJsonSchema } from "../../src/providers/json-schema"
import { personaTurn, review } from "./schemas"

setDefaultTimeout(30_000)

/** Walks a schema and collects what OpenAI strict mode would reject. */
const strictViolations = (node: unknown, at = "root"): string[] => {
  if (typeof node !== "object" || node === null) return []
  const record = node as Record<string, unknown>
  const own: string[] = []
  if ("$ref" in record || "$defs" in record) own.push(`${at}: reference`)
  if (record.type === "object") {
    const keys = Object.keys((record.properties ?? {}) as object)
    if (record.additionalProperties !== false) own.push(`${at}: open object`)
    if (JSON.stringify(record.required) !== JSON.stringify(keys)) own.push(`${at}: not all keys required`)
  }
  for (const banned of ["oneOf", "allOf", "not", "patternProperties", "propertyNames", "prefixItems"]) {
    if (banned in record) own.push(`${at}: ${banned}`)
  }
  return [...own, ...Object.entries(record).flatMap(([k, v]) => strictViolations(v, `${at}.${k}`))]
}

describe("toStrictJsonSchema", () => {
  test("persona turn built from a list of keys", () => {
    const schema = toStrictJsonSchema(personaTurn)
    expect(schema).toEqual({
      type: "object",
      properties: {
        reply: { type: "string" },
        Behavior: { type: "boolean" },
        Result: { type: "boolean" },
        Feelings: { type: "boolean" },
        Desire: { type: "boolean" },
      },
      required: ["reply", "Behavior", "Result", "Feelings", "Desire"],
      additionalProperties: false,
    })
    expect(strictViolations(schema)).toEqual([])
  })

  test("review with an array of nested structs", () => {
    const schema = toStrictJsonSchema(review)
    expect(schema).toEqual({
      type: "object",
      properties: {
        overall: { type: "string" },
        components: {
          type: "array",
          items: {
            type: "object",
            properties: {
              key: { type: "string" },
              covered: { type: "boolean" },
              evidence: { type: "string" },
              better: { type: "string" },
            },
            required: ["key", "covered", "evidence", "better"],
            additionalProperties: false,
          },
        },
        strengths: { type: "array", items: { type: "string" } },
        growth: { type: "array", items: { type: "string" } },
      },
      required: ["overall", "components", "strengths", "growth"],
      additionalProperties: false,
    })
    expect(strictViolations(schema)).toEqual([])
  })

  test("named definitions are inlined, literals and nullables kept, unsupported keywords dropped", () => {
    const Item = Schema.Struct({ q: Schema.String }).annotate({ identifier: "Item" })
    const schema = toStrictJsonSchema(
      Schema.Struct({
        first: Item,
        second: Item,
        tone: Schema.Literals(["calm", "angry"]),
        note: Schema.NullOr(Schema.String.check(Schema.isMinLength(1))),
        count: Schema.Int,
      }),
    )
    const item = {
      type: "object",
      properties: { q: { type: "string" } },
      required: ["q"],
      additionalProperties: false,
    }
    expect(schema.properties).toEqual({
      first: item,
      second: item,
      tone: { type: "string", enum: ["calm", "angry"] },
      note: { anyOf: [{ type: "string" }, { type: "null" }] },
      count: { type: "integer", minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
    })
    expect(strictViolations(schema)).toEqual([])
  })

  test("shapes strict mode cannot express faithfully are rejected up front", () => {
    const rejects = (schema: Schema.Top, message: RegExp) => {
      expect(() => toStrictJsonSchema(schema)).toThrow(StrictSchemaError)
      expect(() => toStrictJsonSchema(schema)).toThrow(message)
    }
    rejects(Schema.Struct({ a: Schema.optional(Schema.String) }), /optional keys a; use Schema.NullOr/)
    rejects(Schema.Struct({ a: Schema.Record(Schema.String, Schema.String) }), /no records/)
    rejects(Schema.Struct({ a: Schema.Unknown }), /unconstrained/)
    rejects(Schema.Array(Schema.String), /root .* must be an object/)
    interface Node {
      readonly children: ReadonlyArray<Node>
    }
    const Node: Schema.Codec<Node> = Schema.Struct({
      children: Schema.Array(Schema.suspend((): Schema.Codec<Node> => Node)),
    }).annotate({ identifier: "Node" })
    rejects(Node, /recursive definition Node/)
  })
})

describe("toStrictJsonSchema is derived once per schema", () => {
  test("the same schema → the same object; another schema → its own; a refused schema is refused every time", () => {
    expect(toStrictJsonSchema(personaTurn)).toBe(toStrictJsonSchema(personaTurn))
    expect(toStrictJsonSchema(review)).not.toBe(toStrictJsonSchema(personaTurn))
    const open = Schema.Struct({ note: Schema.optionalKey(Schema.String) })
    expect(() => toStrictJsonSchema(open)).toThrow(StrictSchemaError)
    expect(() => toStrictJsonSchema(open)).toThrow(StrictSchemaError)
  })
})
