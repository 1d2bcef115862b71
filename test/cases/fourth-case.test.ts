import { afterAll, describe, expect, test } from "bun:test"
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

// A copy of src with a fourth case added the documented way: one new folder under src/cases and one line in the
// registry (its entry, with the import that names it). Nothing else in the copy is touched.
const root = join(import.meta.dir, "../..")
const dir = mkdtempSync(join(tmpdir(), "emco-fourth-case-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
for (const part of ["src", "db", "package.json", "tsconfig.json"])
  cpSync(join(root, part), join(dir, part), { recursive: true })
symlinkSync(join(root, "node_modules"), join(dir, "node_modules"))

const folder = join(dir, "src/cases/fb-fourth")
cpSync(join(root, "src/cases/fb-peer"), folder, { recursive: true })
const edit = (path: string, change: (text: string) => string) =>
  writeFileSync(path, change(readFileSync(path, "utf8")))
edit(join(folder, "case.ts"), (t) =>
  t
    .replace('id: "fb_peer"', 'id: "fb_fourth"')
    .replace('start: "fbpeer", stop: "fbpeer_stop"', 'start: "fbfourth", stop: "fbfourth_stop"'),
)
edit(join(folder, "texts.ts"), (t) => t.replace(/title: "[^"]*"/, 'title: "🧪 Четвёртый кейс"'))
const registry = join(dir, "src/cases/registry.ts")
const before = readFileSync(registry, "utf8")
edit(registry, (t) =>
  t
    .replace(
      "import type { CaseSpec }",
      'import { spec as fourth } from "./fb-fourth/case"\nimport type { CaseSpec }',
    )
    .replace("careerDialog]", "careerDialog, fourth]"),
)

/** Runs a script against the copy, in its own process (the copy's modules, not ours). */
const inCopy = (script: string) => {
  const run = Bun.spawnSync(["bun", "-e", script], { cwd: dir, env: { ...process.env } })
  if (run.exitCode !== 0) throw new Error(run.stderr.toString())
  return JSON.parse(run.stdout.toString())
}

describe("a fourth case is one folder plus one registry line", () => {
  test("the registry changed by its entry and the import naming it; the folder is the only other change", () => {
    const added = readFileSync(registry, "utf8")
      .split("\n")
      .filter((line) => !before.split("\n").includes(line))
    expect(added).toEqual([
      'import { spec as fourth } from "./fb-fourth/case"',
      "export const cases: ReadonlyArray<CaseSpec> = [fbEmployee, fbPeer, careerDialog, fourth]",
    ])
  })

  test("it is in the main menu and the command menu, its command starts it, and its AI request is built", () => {
    const seen = inCopy(`
      const { reduce } = await import("./src/app/reducer")
      const { mainMenu } = await import("./src/nav/keyboards")
      const { botCommands } = await import("./src/nav/command-menu")
      const { initialSession } = await import("./src/core/session")
      const { aiTaskFor } = await import("./src/cases/kernel/ai-requests")
      const { cases } = await import("./src/cases/registry")
      const actor = { userId: 1, chatId: 1, role: "user", firstName: "Оля", username: null, since: null }
      const at = (input, s = initialSession) => reduce(s, { input, actor, now: 1, authEnabled: true })
      const [started, cmds] = at({ _tag: "Command", name: "fbfourth", args: "", messageId: 1 })
      const [, asked] = at({ _tag: "Text", text: "Привет", messageId: 2 }, started)
      const ask = asked.find((c) => c._tag === "AskPersona")
      console.log(JSON.stringify({
        menu: mainMenu().rows.flat().map((b) => b.text),
        commands: botCommands().map((c) => c.command),
        caseId: started.flow.attempt?.caseId,
        stat: cmds.find((c) => c._tag === "RecordStat"),
        request: aiTaskFor(cases, ask, 1)?.calls.map((c) => c.caseId),
      }))
    `)
    expect(seen.menu).toContain("🧪 Четвёртый кейс")
    expect(seen.commands).toContain("fbfourth")
    expect(seen.caseId).toBe("fb_fourth")
    expect(seen.stat).toEqual({ _tag: "RecordStat", caseId: "fb_fourth", stat: "started" })
    expect(seen.request).toEqual(["fb_fourth", "fb_fourth"])
  })

  test("the copy typechecks", () => {
    const tsc = Bun.spawnSync([join(root, "node_modules/.bin/tsc"), "--noEmit", "-p", "tsconfig.json"], {
      cwd: dir,
    })
    expect(tsc.stdout.toString() + tsc.stderr.toString()).toBe("")
    expect(tsc.exitCode).toBe(0)
  }, 120_000)
})
