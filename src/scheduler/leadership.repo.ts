import type postgres from "postgres"

/** The session-bound connection leadership runs on: an advisory lock belongs to one PostgreSQL session. */
export type Sql = postgres.Sql<Record<string, never>>

/** Takes the leader lock (k1, k2) for this session if nobody holds it; true when taken. */
export const tryLeaderLock = async (sql: Sql, k1: number, k2: number): Promise<boolean> => {
  const [row] = await sql<{ ok: boolean }[]>`select pg_try_advisory_lock(${k1}::int, ${k2}::int) as ok`
  return row?.ok === true
}

/** Waits `seconds` on the connection, then tells whether this session still holds the leader lock. */
export const stillLeading = async (sql: Sql, k1: number, k2: number, seconds: number): Promise<boolean> => {
  const [row] = await sql<{ held: boolean }[]>`select pg_sleep(${seconds}), exists (
    select 1 from pg_locks
    where locktype = 'advisory' and pid = pg_backend_pid() and granted
      and classid = ${k1}::int::oid and objid = ${k2}::int::oid and objsubid = 2
  ) as held`
  return row?.held === true
}

/** Gives up every advisory lock this session holds. */
export const releaseLeaderLocks = async (sql: Sql) => {
  await sql`select pg_advisory_unlock_all()`
}
