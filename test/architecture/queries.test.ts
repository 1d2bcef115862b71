import { describe, expect, test } from "bun:test"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"

const SRC = join(import.meta.dir, "../../src")
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : []
  })

/** Building or sending a query: Kysely's builders, a transaction, or an `sql` template (Kysely's or postgres'). */
const QUERY =
  /\.(selectFrom|selectNoFrom|insertInto|updateTable|deleteFrom|mergeInto)\(|\.transaction\(\)|\bsql(<[^>\n]*>)?`/

const outsideRepositories = () =>
  files(SRC)
    // Repositories: *.repo.ts anywhere, and the shared helpers of src/repositories (prepared statements, jsonb).
    .filter((path) => !path.endsWith(".repo.ts") && !relative(SRC, path).startsWith("repositories/"))
    .filter((path) => QUERY.test(readFileSync(path, "utf8")))
    .map((path) => relative(SRC, path))
    .sort()

describe("every query lives in a repository (a *.repo.ts file, or src/repositories)", () => {
  test("no other file in src builds or sends one", () => {
    expect(outsideRepositories()).toEqual([])
  })
  test("the pattern sees the usual forms", () => {
    for (const line of [
      'db.selectFrom("x")',
      "k.transaction().execute(f)",
      "sql`select 1`",
      "sql<number>`now()`",
    ])
      expect(QUERY.test(line)).toBe(true)
    expect(QUERY.test('import { sql } from "kysely"')).toBe(false)
  })
})
