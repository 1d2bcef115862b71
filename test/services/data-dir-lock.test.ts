import { afterEach, describe, expect, test } from "bun:test"
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs"
import { hostname, tmpdir } from "node:os"
import { join } from "node:path"
import { DataDirBusy, HEARTBEAT_MS, lockDataDir, STALE_MS } from "../../src/services/data-dir-lock"

const HOLDER = join(import.meta.dir, "../support/hold-data-dir.ts")
const dirs: string[] = []
const children: Array<ReturnType<typeof Bun.spawn>> = []

const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "emco-lock-"))
  dirs.push(dir)
  return dir
}

/** Another process holding `dir`, once it says so. */
const holdIn = async (dir: string) => {
  const child = Bun.spawn(["bun", HOLDER, dir], { stdout: "pipe", stderr: "inherit" })
  children.push(child)
  const reader = child.stdout.getReader()
  let said = ""
  while (!said.includes("held")) {
    const { value, done } = await reader.read()
    if (done) throw new Error("the holder exited")
    said += new TextDecoder().decode(value)
  }
  reader.releaseLock()
  return child
}

const refusal = (dir: string) =>
  lockDataDir(dir, { waitMs: 0 }).then(
    (lock) => {
      lock.release()
      return null
    },
    (error: unknown) => error,
  )

afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL")
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe("one process per embedded data directory", () => {
  test("a live holder on this host refuses another; once it is killed (kill -9), the folder is free at once", async () => {
    const dir = freshDir()
    const child = await holdIn(dir)
    const refused = await refusal(dir)
    expect(refused).toBeInstanceOf(DataDirBusy)
    expect((refused as DataDirBusy).holder).toMatchObject({ pid: child.pid, host: hostname() })
    child.kill("SIGKILL")
    await child.exited
    const lock = await lockDataDir(dir, { waitMs: 0 })
    expect(JSON.parse(readFileSync(join(dir, "bot.lock"), "utf8")).pid).toBe(process.pid)
    lock.release()
    expect(existsSync(join(dir, "bot.lock"))).toBe(false)
  })

  test("two starters that find the same stale lock at once: exactly one of them ends up holding the folder", async () => {
    for (let round = 0; round < 3; round++) {
      const dir = freshDir()
      const dead = Bun.spawn(["true"])
      await dead.exited
      writeFileSync(join(dir, "bot.lock"), JSON.stringify({ pid: dead.pid, host: hostname(), token: "old" }))
      const starters = [0, 1].map(() => {
        const child = Bun.spawn(["bun", HOLDER, dir], { stdout: "pipe", stderr: "ignore" })
        children.push(child)
        return child
      })
      // The loser refuses (it waits for nobody) and exits; the winner keeps the folder.
      await Promise.race(starters.map((c) => c.exited))
      await Bun.sleep(500)
      const running = starters.filter((c) => c.exitCode === null)
      expect(running).toHaveLength(1)
      const said = await Promise.all(
        starters.map(async (c) => {
          c.kill("SIGTERM")
          return new Response(c.stdout).text()
        }),
      )
      expect(said.filter((text) => text.includes("held"))).toHaveLength(1)
    }
  })

  test("a waiting start takes the folder when the holder stops (a deploy's old process), told once that it waits", async () => {
    const dir = freshDir()
    const child = await holdIn(dir)
    const waits: number[] = []
    const taking = lockDataDir(dir, { waitMs: 20_000, onWait: (holder) => waits.push(holder.pid) })
    await Bun.sleep(800)
    child.kill("SIGTERM")
    const lock = await taking
    expect(waits).toEqual([child.pid])
    lock.release()
  })

  test("another host's lock (a container on the same volume) holds while its heartbeat is fresh, not after", async () => {
    const dir = freshDir()
    const path = join(dir, "bot.lock")
    writeFileSync(path, JSON.stringify({ pid: 1, host: "another-container", token: "theirs" }))
    expect(await refusal(dir)).toBeInstanceOf(DataDirBusy)
    const stale = new Date(Date.now() - STALE_MS - 1000)
    utimesSync(path, stale, stale)
    expect(await refusal(dir)).toBeNull()
  })

  test("a lock naming a live process of this host whose heartbeat stopped (its pid reused after a reboot) is gone", async () => {
    const dir = freshDir()
    const path = join(dir, "bot.lock")
    // The test runner's parent: alive, and no holder of anything.
    writeFileSync(path, JSON.stringify({ pid: process.ppid, host: hostname(), token: "before-reboot" }))
    expect(await refusal(dir)).toBeInstanceOf(DataDirBusy)
    const stale = new Date(Date.now() - STALE_MS - 1000)
    utimesSync(path, stale, stale)
    expect(await refusal(dir)).toBeNull()
  })

  test("a holder whose lock was taken over hears it at its next heartbeat (and leaves the new holder's file)", async () => {
    const dir = freshDir()
    let lost = 0
    const lock = await lockDataDir(dir, { waitMs: 0, onLost: () => lost++ })
    const theirs = JSON.stringify({ pid: 1, host: "another-container", token: "theirs" })
    writeFileSync(join(dir, "bot.lock"), theirs)
    await Bun.sleep(HEARTBEAT_MS + 700)
    expect(lost).toBe(1)
    lock.release()
    expect(readFileSync(join(dir, "bot.lock"), "utf8")).toBe(theirs)
  })
})
