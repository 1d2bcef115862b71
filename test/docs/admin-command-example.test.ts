import { afterAll, describe, expect, test } from "bun:test"
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

// docs/adding-an-admin-command.md shows a new admin command as a diff: applied to a copy of src, it must touch only
// src/admin/, typecheck, and work.
const root = join(import.meta.dir, "../..")
const doc = readFileSync(join(root, "docs/adding-an-admin-command.md"), "utf8")
const diff = /```diff\n([\s\S]*?)```/.exec(doc)?.[1] ?? ""
const dir = mkdtempSync(join(tmpdir(), "emco-admin-command-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
for (const part of ["src", "db", "package.json", "tsconfig.json"])
  cpSync(join(root, part), join(dir, part), { recursive: true })
symlinkSync(join(root, "node_modules"), join(dir, "node_modules"))
writeFileSync(join(dir, "example.diff"), diff)

const run = (cmd: string[]) => {
  const out = Bun.spawnSync(cmd, { cwd: dir })
  return { code: out.exitCode, text: out.stdout.toString() + out.stderr.toString() }
}

describe("the admin command example in docs applies and works", () => {
  test("the diff touches only src/admin/ and applies cleanly", () => {
    const files = [...diff.matchAll(/^\+\+\+ b\/(\S+)/gm)].map((m) => m[1])
    expect(files.length).toBeGreaterThan(0)
    expect(files.filter((f) => !f?.startsWith("src/admin/"))).toEqual([])
    expect(run(["git", "apply", "example.diff"])).toEqual({ code: 0, text: "" })
  })

  test("/now answers an admin with the bot's time, refuses others; it is in the admin menu and help", () => {
    const seen = run([
      "bun",
      "-e",
      `
      const { reduce } = await import("./src/app/reducer")
      const { botCommands } = await import("./src/nav/command-menu")
      const { texts } = await import("./src/nav/texts")
      const { initialSession } = await import("./src/core/session")
      const as = (role) => reduce(initialSession, {
        input: { _tag: "Command", name: "now", args: "", messageId: 1 },
        actor: { userId: 1, chatId: 1, role, firstName: "Оля", username: null, since: null },
        now: Date.UTC(2026, 11, 5, 9, 30), authEnabled: true, timeZone: "Europe/Moscow",
      })[1].map((c) => c.html)
      console.log(JSON.stringify({
        admin: as("admin"), user: as("user"), adminOnly: texts.adminOnly,
        menu: botCommands(true).map((c) => c.command), userMenu: botCommands(false).map((c) => c.command),
        help: texts.help(true),
      }))
      `,
    ])
    expect(seen.code).toBe(0)
    const out = JSON.parse(seen.text)
    expect(out.admin).toEqual(["🕒 У бота сейчас 05.12.2026 12:30 (МСК)"])
    expect(out.user).toEqual([out.adminOnly])
    expect(out.menu).toContain("now")
    expect(out.userMenu).not.toContain("now")
    expect(out.help).toContain("/now — ")
  })

  test("the copy typechecks", () => {
    expect(run([join(root, "node_modules/.bin/tsc"), "--noEmit", "-p", "tsconfig.json"])).toEqual({
      code: 0,
      text: "",
    })
  }, 120_000)
})
