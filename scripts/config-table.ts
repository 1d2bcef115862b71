import { readFileSync, writeFileSync } from "node:fs"
import { type FieldName, fields } from "../src/config/fields"

export const TABLE_START = "<!-- config-table:start -->"
export const TABLE_END = "<!-- config-table:end -->"

/** A default as it is written in `.env`: `true`, `30`, `./data`; undefined when the variable has none. */
export const formatDefault = (name: FieldName): string | undefined => {
  const spec = fields[name]
  if (spec.secret || spec.fallback === undefined) return undefined
  return "display" in spec && spec.display !== undefined ? spec.display : String(spec.fallback)
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ")

const row = (name: FieldName): string => {
  const spec = fields[name]
  const fallback = formatDefault(name)
  const marks = [spec.required ? "обязательно" : null, spec.secret ? "секрет" : null].filter(Boolean)
  const description = marks.length > 0 ? `**${marks.join(", ")}.** ${spec.doc}` : spec.doc
  return `| \`${name}\` | ${fallback === undefined ? "—" : `\`${cell(fallback)}\``} | ${cell(description)} |`
}

/** The configuration table, rendered from `fields` in their declared order. */
export const configTable = (): string =>
  [
    "| Переменная | По умолчанию | Описание |",
    "| --- | --- | --- |",
    ...(Object.keys(fields) as FieldName[]).map(row),
  ].join("\n")

/** The text between the table markers (docs/configuration.md), without the surrounding newlines; undefined when a marker is missing. */
export const readmeSection = (readme: string): string | undefined => {
  const start = readme.indexOf(TABLE_START)
  const end = readme.indexOf(TABLE_END)
  if (start < 0 || end < start) return undefined
  return readme.slice(start + TABLE_START.length, end).trim()
}

const writeReadme = (path: string) => {
  const readme = readFileSync(path, "utf8")
  if (readmeSection(readme) === undefined)
    throw new Error(`${path}: no ${TABLE_START} … ${TABLE_END} markers`)
  const start = readme.indexOf(TABLE_START) + TABLE_START.length
  const end = readme.indexOf(TABLE_END)
  writeFileSync(path, `${readme.slice(0, start)}\n${configTable()}\n${readme.slice(end)}`)
}

/** Where the generated table lives. */
export const TABLE_FILE = "docs/configuration.md"

// `bun scripts/config-table.ts` prints the table; `--write` refreshes it in docs/configuration.md in place.
if (import.meta.main) {
  if (process.argv.includes("--write")) writeReadme(TABLE_FILE)
  else console.log(configTable())
}
