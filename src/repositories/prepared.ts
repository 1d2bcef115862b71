import { type Compilable, type CompiledQuery, type Kysely, type RawBuilder, sql } from "kysely"
import type { Database } from "../../db/schema"
import { onPool } from "../services/postgres-client"

/**
 * The n-th parameter of a prepared statement (1-based), as an expression Kysely can place anywhere a value goes.
 * `cast` names the type where PostgreSQL cannot infer it from the context.
 */
export const param = <T>(n: number, cast?: string): RawBuilder<T> =>
  sql.raw<T>(cast ? `$${n}::${cast}` : `$${n}`)

/** A JSON value as the text a `param(n, "text::jsonb")` slot takes (the same on Bun SQL and PGlite). */
export const jsonText = (value: unknown): string => JSON.stringify(value)

/**
 * A statement that runs for every update, built and compiled by Kysely once and then run as SQL text with fresh
 * parameters. Building a query costs the bot more CPU than the round trip (a profile under load put ~30 % of it in
 * Kysely's builders, compiler and Object.freeze). Values go in only through `param`: a value handed to Kysely
 * directly would become a parameter of its own, fixed at the first call, so the first compile refuses one.
 */
export const prepared = <Row>(build: (db: Kysely<Database>) => Compilable<Row>) => {
  let compiled: CompiledQuery<Row> | undefined
  return async (db: Kysely<Database>, params: ReadonlyArray<unknown>): Promise<Row[]> => {
    if (compiled === undefined) {
      const first = build(db).compile()
      if (first.parameters.length > 0)
        throw new Error("a prepared statement takes its values through param(), not inline")
      compiled = first
    }
    const direct = onPool(db)
    if (direct) return direct<Row>(compiled.sql, params)
    // A plain copy with the new values: CompiledQuery.raw would build and freeze a fresh node on every call.
    return (await db.executeQuery<Row>({ ...compiled, parameters: params })).rows
  }
}
