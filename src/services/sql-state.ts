/**
 * The SQLSTATE of a database's answer, wherever the client put it: PGlite and Postgres.js in `code`, Bun's SQL
 * client in `errno` (its `code` is its own, e.g. ERR_POSTGRES_SERVER_ERROR).
 */
export const sqlStateOf = (error: unknown): string | undefined => {
  const { code, errno } = (error ?? {}) as { code?: unknown; errno?: unknown }
  return [code, errno].find((c): c is string => typeof c === "string" && /^[0-9A-Z]{5}$/.test(c))
}
