/**
 * Whether the embedded database's commits reach the disk: 500 commits on PGlite with its default (`-F`, fsync off)
 * and with `fsync=on`, each under strace counting the process's fsync/fdatasync calls. Null without strace.
 */
const STRACE = ["strace", "-f", "-c", "-e", "trace=fsync,fdatasync"]
// strace -c ends with a «total» row: % time, seconds, usecs/call, calls (no table when nothing was called).
const syncCalls = (stderr: string) => {
  const total = stderr.split("\n").find((line) => line.trim().endsWith("total"))
  return Number(total?.trim().split(/\s+/)[3] ?? 0)
}

const run = (extra: ReadonlyArray<string>) => {
  const done = Bun.spawnSync([...STRACE, "bun", "bench/peers/pglite-commits.ts", JSON.stringify(extra)], {
    stdout: "pipe",
    stderr: "pipe",
  })
  const { setting, ms } = JSON.parse(done.stdout.toString().trim().split("\n").at(-1)!) as {
    setting: string
    ms: number
  }
  return { setting, commitsMs: ms, syncCalls: syncCalls(done.stderr.toString()) }
}

/** The probe's own check: a process that calls fsync and fdatasync once each is seen making 2 calls. */
const control = () =>
  syncCalls(
    Bun.spawnSync([...STRACE, "bun", "bench/peers/fsync-once.ts"], { stderr: "pipe" }).stderr.toString(),
  )

export const embeddedFsync = () => {
  if (!Bun.which("strace")) return null
  return { control: control(), default: run([]), fsyncOn: run(["-c", "fsync=on"]) }
}
