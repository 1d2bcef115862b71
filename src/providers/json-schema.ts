import { type JsonSchema, Schema } from "effect"
import { memoizedBy } from "../core/memo"

/**
 * Keywords OpenAI structured outputs accept in strict mode. Everything else Effect may emit (minLength,
 * pattern, format, prefixItems, default, examples, …) is dropped: that only loosens the hint given to the
 * model, and the Effect decoder stays the final authority on the answer.
 */
const KEPT = new Set([
  "type",
  "description",
  "enum",
  "const",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minItems",
  "maxItems",
])

export class StrictSchemaError extends Error {
  override readonly name = "StrictSchemaError"
}

// Every AI request of a kind asks for the same schema: derived once (it was ~3 % of the bot's CPU per AI turn). A
// schema refused throws every time, and is not kept.
/**
 * A JSON Schema for `response_format: { type: "json_schema", json_schema: { name, strict: true, schema } }`:
 * definitions inlined (no `$ref`), every object closed (`additionalProperties: false`) with all of its
 * properties required, `oneOf` relaxed to `anyOf`, unsupported keywords removed.
 *
 * Throws StrictSchemaError for schemas strict mode cannot express faithfully: a non-object root, optional
 * keys (use `Schema.NullOr`), records/index signatures, unconstrained values and recursive definitions.
 */
export const toStrictJsonSchema = memoizedBy((schema: Schema.Constraint): JsonSchema.JsonSchema => {
  const document = Schema.toJsonSchemaDocument(schema, { onExcessProperty: "error" })
  const root = strictNode(document.schema, document.definitions, [], "root")
  if (root.type !== "object")
    throw new StrictSchemaError("the root of a strict JSON schema must be an object")
  return root
})

const refName = (ref: string): string => {
  const match = /^#\/\$defs\/(.+)$/.exec(ref)
  if (!match?.[1]) throw new StrictSchemaError(`unsupported $ref ${ref}`)
  return match[1].replaceAll("~1", "/").replaceAll("~0", "~")
}

const asNode = (value: unknown, at: string): JsonSchema.JsonSchema => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new StrictSchemaError(`${at}: expected a schema object`)
  }
  return value as JsonSchema.JsonSchema
}

const strictNode = (
  node: JsonSchema.JsonSchema,
  definitions: JsonSchema.Definitions,
  inlining: ReadonlyArray<string>,
  at: string,
): JsonSchema.JsonSchema => {
  if (typeof node.$ref === "string") {
    const name = refName(node.$ref)
    if (inlining.includes(name)) throw new StrictSchemaError(`${at}: recursive definition ${name}`)
    const target = definitions[name]
    if (!target) throw new StrictSchemaError(`${at}: missing definition ${name}`)
    const { $ref: _, ...siblings } = node
    return strictNode({ ...target, ...siblings }, definitions, [...inlining, name], at)
  }
  const child = (value: unknown, path: string) => strictNode(asNode(value, path), definitions, inlining, path)
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    if (KEPT.has(key)) out[key] = value
  }
  const alternatives = node.anyOf ?? node.oneOf
  if (Array.isArray(alternatives)) out.anyOf = alternatives.map((a, i) => child(a, `${at}|${i}`))
  if (node.items !== undefined) out.items = child(node.items, `${at}[]`)
  if (out.type === "array" && out.items === undefined) {
    throw new StrictSchemaError(`${at}: arrays need one item schema (tuples are not supported)`)
  }
  if (out.type === "object") return closeObject(node, out, child, at)
  if (
    out.type === undefined &&
    out.anyOf === undefined &&
    out.enum === undefined &&
    out.const === undefined
  ) {
    throw new StrictSchemaError(`${at}: unconstrained values are not allowed in strict mode`)
  }
  return out
}

const closeObject = (
  node: JsonSchema.JsonSchema,
  out: Record<string, unknown>,
  child: (value: unknown, path: string) => JsonSchema.JsonSchema,
  at: string,
): JsonSchema.JsonSchema => {
  const properties = asNode(node.properties ?? {}, at)
  const keys = Object.keys(properties)
  const open = node.additionalProperties !== false || node.patternProperties || node.propertyNames
  if (keys.length === 0 || open) {
    throw new StrictSchemaError(`${at}: only structs with fixed keys are supported (no records)`)
  }
  const required = Array.isArray(node.required) ? node.required : []
  const optional = keys.filter((k) => !required.includes(k))
  if (optional.length > 0) {
    throw new StrictSchemaError(`${at}: optional keys ${optional.join(", ")}; use Schema.NullOr instead`)
  }
  out.properties = Object.fromEntries(keys.map((k) => [k, child(properties[k], `${at}.${k}`)]))
  out.required = keys
  out.additionalProperties = false
  return out
}
