/**
 * A Dockerfile read the way `docker build` reads it: continuation lines joined, comments dropped, one
 * instruction per entry, grouped into stages. Only what the replay needs; anything else is refused loudly, so a new
 * instruction in the Dockerfile cannot be skipped silently.
 */

export interface Instruction {
  readonly keyword: string
  readonly args: string
  readonly line: number
}

export interface Stage {
  readonly name: string | undefined
  readonly image: string
  readonly steps: ReadonlyArray<Instruction>
}

export const instructionsOf = (text: string): Instruction[] => {
  const out: Instruction[] = []
  let buffer = ""
  let start = 0
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    // Comment lines (parser directives included) are dropped, also inside a continued instruction.
    if (/^\s*#/.test(raw) || (buffer === "" && raw.trim() === "")) continue
    if (buffer === "") start = index + 1
    if (/\\\s*$/.test(raw)) {
      buffer += `${raw.replace(/\\\s*$/, "")} `
      continue
    }
    const m = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(buffer + raw)
    if (!m) throw new Error(`Dockerfile:${start}: cannot read «${buffer + raw}»`)
    out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start })
    buffer = ""
  }
  return out
}

export const stagesOf = (text: string): Stage[] => {
  const stages: Array<{ name: string | undefined; image: string; steps: Instruction[] }> = []
  for (const step of instructionsOf(text)) {
    if (step.keyword === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(step.args)
      if (!m) throw new Error(`Dockerfile:${step.line}: FROM ${step.args}`)
      stages.push({ image: m[1]!, name: m[2], steps: [] })
    } else {
      const current = stages.at(-1)
      if (!current) throw new Error(`Dockerfile:${step.line}: ${step.keyword} before FROM`)
      current.steps.push(step)
    }
  }
  return stages
}

/** RUN / CMD: the exec form (a JSON array) as it is, the shell form through `sh -c`. */
export const commandOf = (args: string): string[] =>
  args.startsWith("[") ? (JSON.parse(args) as string[]) : ["sh", "-c", args]

/** `ENV A=1 B="two words"` or the legacy `ENV A 1`. */
export const envPairsOf = (args: string): Array<[string, string]> => {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
    const [name, ...rest] = args.split(/\s+/)
    return [[name!, rest.join(" ")]]
  }
  const pairs: Array<[string, string]> = []
  for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g))
    pairs.push([m[1]!, m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!])
  return pairs
}

/** `--from=deps --chown=bun:bun a b dest` → flags and paths (the JSON form too). */
export const copyArgsOf = (args: string) => {
  const flags: Record<string, string> = {}
  let rest = args
  for (let m = /^--([a-z]+)=(\S+)\s+/.exec(rest); m; m = /^--([a-z]+)=(\S+)\s+/.exec(rest)) {
    flags[m[1]!] = m[2]!
    rest = rest.slice(m[0].length)
  }
  const paths = rest.startsWith("[") ? (JSON.parse(rest) as string[]) : rest.split(/\s+/)
  return { flags, sources: paths.slice(0, -1), dest: paths.at(-1)! }
}

/** `HEALTHCHECK --interval=30s … CMD <command>` → the command (options are Docker's business). */
export const healthcheckOf = (args: string): string[] => {
  const m = /^(?:--\S+\s+)*CMD\s+([\s\S]+)$/.exec(args)
  if (!m) throw new Error(`HEALTHCHECK ${args}: expected CMD`)
  return commandOf(m[1]!)
}
