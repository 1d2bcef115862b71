import type { Subprocess } from "bun"
import { recordOutput } from "./leak-scan"

export interface BotProcess {
  readonly proc: Subprocess<"ignore", "pipe", "pipe">
  readonly lines: string[]
  /** Resolves with the first JSON log line whose `msg` matches. */
  readonly waitForLog: (msg: string, timeoutMs?: number) => Promise<Record<string, unknown>>
  readonly exited: Promise<number>
  readonly stderr: () => Promise<string>
}

/**
 * Runs `bun src/main.ts` (or `command` in `cwd`) as a real process with exactly the given environment (no .env, no
 * inherited config).
 */
export const spawnBot = (
  env: Record<string, string>,
  options: { readonly command?: ReadonlyArray<string>; readonly cwd?: string } = {},
): BotProcess => {
  const proc = Bun.spawn([...(options.command ?? ["bun", "src/main.ts"])], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", EMCO_SKIP_DOTENV: "1", ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  })
  const lines: string[] = []
  const waiters: Array<() => void> = []
  void (async () => {
    const decoder = new TextDecoder()
    let buffer = ""
    for await (const chunk of proc.stdout) {
      buffer += decoder.decode(chunk)
      const parts = buffer.split("\n")
      buffer = parts.pop() ?? ""
      const fresh = parts.filter((l) => l.trim() !== "")
      lines.push(...fresh)
      for (const l of fresh) recordOutput(l)
      for (const wake of waiters.splice(0)) wake()
    }
  })()
  // Lines that are not JSON (a shell's or `bun install`'s output before the bot starts) are passed over.
  const parsed = (line: string) => {
    try {
      return JSON.parse(line) as Record<string, unknown>
    } catch {
      return undefined
    }
  }
  const find = (msg: string) => lines.map(parsed).find((entry) => entry?.msg === msg)
  let exitCode: number | null = null
  void proc.exited.then((code) => {
    exitCode = code
  })
  const waitForLog = async (msg: string, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const hit = find(msg)
      if (hit) return hit
      if (exitCode !== null || Date.now() > deadline) {
        const why = exitCode !== null ? `the process exited with ${exitCode}` : "timed out"
        const stderr = exitCode !== null ? await new Response(proc.stderr).text() : ""
        throw new Error(`no «${msg}» log line (${why}); saw:\n${lines.join("\n")}\n${stderr}`)
      }
      await Promise.race([new Promise<void>((r) => waiters.push(r)), Bun.sleep(50)])
    }
  }
  return { proc, lines, waitForLog, exited: proc.exited, stderr: () => new Response(proc.stderr).text() }
}
