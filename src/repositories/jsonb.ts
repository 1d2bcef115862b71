import { type RawBuilder, sql } from "kysely"

/**
 * A JSON value as a jsonb parameter that behaves the same on every client (Bun SQL, PGlite, and Postgres.js,
 * which would JSON-encode an already stringified value a second time for a jsonb-typed parameter): it goes in
 * as text.
 */
export const jsonb = (value: unknown): RawBuilder<string> =>
  sql<string>`${JSON.stringify(value)}::text::jsonb`
