import { afterAll, describe, expect, test } from "bun:test"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"

const root = join(import.meta.dir, "../..")
const biome = join(root, "node_modules/.bin/biome")

/** Probe modules: each line is an import; the ones marked `// forbidden` must be refused by Biome. */
const probes: Record<string, string> = {
  "src/core/probe.ts": `import { Schema } from "effect"
import { Cmd } from "./commands"
import { Kysely } from "kysely" // forbidden
import { Db } from "../services/db" // forbidden
import { texts } from "../app/texts" // forbidden
import { escape } from "../lib/html" // forbidden
import { readFileSync } from "node:fs" // forbidden
export const probe = [Schema, Cmd, Kysely, Db, texts, escape, readFileSync]
`,
  "src/cases/kernel/probe.ts": `import { Schema } from "effect"
import { Cmd } from "../../core/commands"
import { spec } from "./spec"
import { texts } from "../fb-peer/texts"
import { Db } from "../../services/db" // forbidden
import { texts as app } from "../../app/texts" // forbidden
import { reduce } from "../../pipeline/stages/dispatch" // forbidden
import { escape } from "../../lib/html" // forbidden
import { Bot } from "grammy" // forbidden
export const probe = [Schema, Cmd, spec, texts, Db, app, reduce, escape, Bot]
`,
  "src/cases/fb-peer/probe.ts": `import { provd } from "../kernel/provd"
import { Session } from "../../core/session"
import persona from "./prompts/persona.md" with { type: "text" }
import { Telegram } from "../../services/telegram" // forbidden
export const probe = [provd, Session, persona, Telegram]
`,
  "src/cases/probe.ts": `import { spec } from "./fb-peer/case"
import { Attempt } from "../core/attempt"
import { mainMenu } from "../app/keyboards" // forbidden
export const probe = [spec, Attempt, mainMenu]
`,
  // Outside core and cases nothing is restricted.
  "src/app/probe.ts": `import { Db } from "../services/db"
import { Kysely } from "kysely"
export const probe = [Db, Kysely]
`,
}

const expectedRefusals = Object.entries(probes).flatMap(([path, text]) =>
  text.split("\n").flatMap((line, i) => (line.includes("// forbidden") ? [`${path}:${i + 1}`] : [])),
)

describe("Biome enforces the layers: core and cases cannot import effectful code", () => {
  const dir = mkdtempSync(join(tmpdir(), "emco-layers-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const config = JSON.parse(readFileSync(join(root, "biome.json"), "utf8"))
  config.vcs = { enabled: false }
  writeFileSync(join(dir, "biome.json"), JSON.stringify(config))
  for (const [path, text] of Object.entries(probes)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }

  test("exactly the forbidden imports are refused, by noRestrictedImports", () => {
    const run = Bun.spawnSync([biome, "lint", "--max-diagnostics=200", "src"], { cwd: dir })
    const output = `${run.stdout.toString()}\n${run.stderr.toString()}`
    const refused = [...output.matchAll(/(src\/\S+\.ts):(\d+):\d+ lint\/style\/noRestrictedImports/g)]
      .map((m) => `${m[1]}:${m[2]}`)
      .sort()
    expect(refused).toEqual([...expectedRefusals].sort())
  })
})
