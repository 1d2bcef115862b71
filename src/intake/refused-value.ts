import { Effect } from "effect"
import { probeJsonb } from "../repositories/health.repo"
import { Db, type DbError } from "../services/db"
import { sqlStateOf } from "../services/sql-state"

// Class 22, data exception (invalid JSON text, a byte the encoding refuses); class 54, program limit exceeded.
const refusesValues = (error: unknown) => /^(22|54)/.test(sqlStateOf(error) ?? "")

/**
 * Whether PostgreSQL refused the update itself, rather than failed to store it: the store's error is a data
 * exception and the payload alone is refused as jsonb too. A database that is down or slow never refuses a
 * value (the update is then retried), nor does a store that failed for another reason.
 */
export const refusedValue = (error: DbError, payload: unknown): Effect.Effect<boolean, never, Db> =>
  refusesValues(error.cause)
    ? Effect.gen(function* () {
        const db = yield* Db
        return yield* db
          .use("jsonbProbe", (k) => probeJsonb(k, payload))
          .pipe(
            Effect.as(false),
            Effect.catchTag("DbError", (probe) => Effect.succeed(refusesValues(probe.cause))),
          )
      })
    : Effect.succeed(false)
