import type { JsonSchema, Schema } from "effect"
import { toStrictJsonSchema } from "./json-schema"

/**
 * Keywords Gemini's `responseJsonSchema` supports, out of what toStrictJsonSchema emits. `additionalProperties`
 * is accepted there (only the older OpenAPI-style `responseSchema` rejects it); `const`, `multipleOf` and the
 * exclusive bounds are not, and `enum` only holds strings or numbers.
 */
const KEPT = new Set([
  "type",
  "description",
  "minimum",
  "maximum",
  "minItems",
  "maxItems",
  "required",
  "additionalProperties",
])

const isScalarList = (values: ReadonlyArray<unknown>): boolean =>
  values.length > 0 && values.every((v) => typeof v === "string" || typeof v === "number")

const isNode = (value: unknown): value is JsonSchema.JsonSchema =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const geminiNode = (node: JsonSchema.JsonSchema): JsonSchema.JsonSchema => {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    if (KEPT.has(key)) out[key] = value
  }
  const literals: ReadonlyArray<unknown> = Array.isArray(node.enum)
    ? node.enum
    : "const" in node
      ? [node.const]
      : []
  // Dropping boolean/null literals only loosens the hint; the Effect decoder still rejects a wrong value.
  if (isScalarList(literals)) out.enum = literals
  if (Array.isArray(node.anyOf)) out.anyOf = node.anyOf.filter(isNode).map(geminiNode)
  if (isNode(node.items)) out.items = geminiNode(node.items)
  if (isNode(node.properties)) {
    const properties = Object.entries(node.properties).flatMap(([k, v]) =>
      isNode(v) ? [[k, geminiNode(v)] as const] : [],
    )
    out.properties = Object.fromEntries(properties)
    // Keeps the answer in schema order (reply text first), which models follow more reliably.
    out.propertyOrdering = properties.map(([k]) => k)
  }
  return out
}

/**
 * The strict schema (same shapes accepted and rejected as for OpenAI, so both vendors answer alike) in the
 * JSON Schema subset of Gemini's `generationConfig.responseJsonSchema`.
 */
export const toGeminiJsonSchema = (schema: Schema.Constraint): JsonSchema.JsonSchema =>
  geminiNode(toStrictJsonSchema(schema))
