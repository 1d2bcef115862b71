import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { configTable, formatDefault, readmeSection, TABLE_FILE } from "../../scripts/config-table"
import { type FieldName, fields } from "../../src/config/fields"

const root = join(import.meta.dir, "..", "..")
const read = (file: string) => readFileSync(join(root, file), "utf8")
const names = Object.keys(fields) as FieldName[]

describe("the configuration table (docs/configuration.md)", () => {
  test("the section between the markers → equals configTable() (run `bun scripts/config-table.ts --write`)", () => {
    expect(readmeSection(read(TABLE_FILE))).toBe(configTable())
  })

  test("every variable → one row, in declaration order", () => {
    const rows = configTable()
      .split("\n")
      .slice(2)
      .map((line) => /^\| `([A-Z0-9_]+)` \|/.exec(line)?.[1])
    expect(rows).toEqual(names)
  })

  test("secrets → no default and marked «секрет»; the required one → «обязательно»", () => {
    const lines = configTable().split("\n")
    for (const name of names) {
      const [, fallback, description] = lines.find((l) => l.startsWith(`| \`${name}\` |`))!.split(" | ")
      const marks = /^\*\*(.+?)\.\*\* /.exec(description ?? "")?.[1]?.split(", ") ?? []
      const expected = [fields[name].required && "обязательно", fields[name].secret && "секрет"].filter(
        Boolean,
      )
      expect({ name, marks }).toEqual({ name, marks: expected as string[] })
      if (fields[name].secret) expect({ name, fallback }).toEqual({ name, fallback: "—" })
    }
  })
})

describe(".env.example", () => {
  const assignments = new Map(
    read(".env.example")
      .split("\n")
      .flatMap((line) => {
        const m = /^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line)
        return m ? [[m[1]!, { value: m[2]!, commented: line.startsWith("#") }] as const] : []
      }),
  )

  test("every variable in fields → present", () => {
    expect(names.filter((n) => !assignments.has(n))).toEqual([])
  })

  test("no variable the bot does not read", () => {
    expect([...assignments.keys()].filter((n) => !(n in fields))).toEqual([])
  })

  test("secrets → empty; defaults → shown as the default, commented out", () => {
    for (const name of names) {
      const entry = assignments.get(name)!
      const fallback = formatDefault(name)
      if (fields[name].secret) expect({ name, ...entry }).toEqual({ name, value: "", commented: false })
      else if (fallback !== undefined)
        expect({ name, ...entry }).toEqual({ name, value: fallback, commented: true })
    }
  })
})
