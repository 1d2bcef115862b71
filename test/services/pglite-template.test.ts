import { afterEach, describe, expect, test } from "bun:test"
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { prepareTemplate, seedFromTemplate } from "../../src/services/pglite-template"

// The copy's rules on real folders; a real template and a real start are driven in test/deploy (clean clone, image).
const made: string[] = []
const folder = () => {
  const dir = mkdtempSync(join(tmpdir(), "emco-seed-"))
  made.push(dir)
  return dir
}
const cluster = (dir: string, marker: string) => {
  mkdirSync(join(dir, "base"), { recursive: true })
  writeFileSync(join(dir, "PG_VERSION"), "17\n")
  writeFileSync(join(dir, "base", "marker"), marker)
}
const templateWith = (marker: string) => {
  const template = folder()
  cluster(join(template, "pglite"), marker)
  return template
}
const marker = (dataDir: string) => readFileSync(join(dataDir, "pglite", "base", "marker"), "utf8")

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe("a fresh DATA_DIR starts as a copy of the prepared template", () => {
  test("empty folder, or an empty pglite folder → the template's cluster, nothing left over", () => {
    const template = templateWith("from-template")
    for (const prepare of [() => {}, (dir: string) => mkdirSync(join(dir, "pglite"))]) {
      const dataDir = folder()
      prepare(dataDir)
      expect(seedFromTemplate(dataDir, template)).toBe("template")
      expect(marker(dataDir)).toBe("from-template")
      expect(readdirSync(dataDir)).toEqual(["pglite"])
    }
  })

  test("the copy is the bot user's alone: files 0600, folders 0700, whatever the template's modes", () => {
    const template = templateWith("from-template")
    const dataDir = folder()
    expect(seedFromTemplate(dataDir, template)).toBe("template")
    const modes = (dir: string) =>
      ["", ...readdirSync(dir, { recursive: true, encoding: "utf8" })].map((entry) => {
        const stat = statSync(join(dir, entry))
        return [stat.isDirectory(), stat.mode & 0o777] as const
      })
    for (const [isDir, mode] of modes(join(dataDir, "pglite"))) expect(mode).toBe(isDir ? 0o700 : 0o600)
  })

  test("an existing cluster is never replaced", () => {
    const dataDir = folder()
    cluster(join(dataDir, "pglite"), "learners-data")
    expect(seedFromTemplate(dataDir, templateWith("from-template"))).toBe("existing")
    expect(marker(dataDir)).toBe("learners-data")
  })

  test("files that are not a cluster are left to PGlite, untouched", () => {
    const dataDir = folder()
    mkdirSync(join(dataDir, "pglite"))
    writeFileSync(join(dataDir, "pglite", "notes.txt"), "mine")
    expect(seedFromTemplate(dataDir, templateWith("from-template"))).toBe("initdb")
    expect(readdirSync(join(dataDir, "pglite"))).toEqual(["notes.txt"])
  })

  test("no template (installed without scripts) → initdb, as before", () => {
    const dataDir = folder()
    expect(seedFromTemplate(dataDir, join(folder(), "absent"))).toBe("initdb")
    expect(existsSync(join(dataDir, "pglite"))).toBe(false)
  })

  test("a copy cut short by a crash is removed and done again", () => {
    const dataDir = folder()
    cluster(join(dataDir, "pglite.seeding-4242"), "half")
    expect(seedFromTemplate(dataDir, templateWith("from-template"))).toBe("template")
    expect(readdirSync(dataDir)).toEqual(["pglite"])
    expect(marker(dataDir)).toBe("from-template")
  })
})

describe("preparing the template", () => {
  test("built once into place; a second run keeps it", async () => {
    const dir = join(folder(), "0.0.0")
    let builds = 0
    const build = async (dataDir: string) => {
      builds++
      cluster(join(dataDir, "pglite"), `build-${builds}`)
    }
    expect(await prepareTemplate(build, dir)).toBe("prepared")
    expect(await prepareTemplate(build, dir)).toBe("present")
    expect(builds).toBe(1)
    expect(readFileSync(join(dir, "pglite", "base", "marker"), "utf8")).toBe("build-1")
    expect(readdirSync(join(dir, ".."))).toEqual(["0.0.0"])
    // Readable by whoever runs the bot, writable by its owner only.
    for (const entry of ["", ...readdirSync(dir, { recursive: true, encoding: "utf8" })]) {
      const stat = statSync(join(dir, entry))
      expect(stat.mode & 0o777).toBe(stat.isDirectory() ? 0o755 : 0o644)
    }
  })

  test("a folder left without a cluster, or a half-built one, is replaced by a real template", async () => {
    const dir = join(folder(), "0.0.0")
    mkdirSync(dir)
    writeFileSync(join(dir, "junk"), "")
    mkdirSync(`${dir}.building-1-2`)
    const build = async (dataDir: string) => cluster(join(dataDir, "pglite"), "fresh")
    expect(await prepareTemplate(build, dir)).toBe("prepared")
    expect(readFileSync(join(dir, "pglite", "base", "marker"), "utf8")).toBe("fresh")
    expect(readdirSync(join(dir, ".."))).toEqual(["0.0.0"])
  })
})
