import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join, posix } from "node:path"

/**
 * The build context as Docker sends it: every file under the directory that .dockerignore does not exclude.
 * Patterns follow Docker's rules, not git's: anchored at the context root (`*.log` is a root-level file only, `**`
 * crosses directories), a match on a directory excludes all below it, `!` re-includes, and the last match wins.
 */

interface Rule {
  readonly exclude: boolean
  readonly pattern: RegExp
}

const regexOf = (pattern: string): RegExp => {
  let out = ""
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === "*" && pattern[i + 1] === "*") {
      // `**/` matches any number of directories, zero included.
      out += pattern[i + 2] === "/" ? "(?:.*/)?" : ".*"
      i += pattern[i + 2] === "/" ? 2 : 1
    } else if (c === "*") out += "[^/]*"
    else if (c === "?") out += "[^/]"
    else if (c === "[") {
      const end = pattern.indexOf("]", i)
      out += pattern.slice(i, end + 1).replace(/^\[!/, "[^")
      i = end
    } else out += c.replace(/[.+^${}()|\\]/g, "\\$&")
  }
  // A directory that matches takes everything below it along.
  return new RegExp(`^${out}(?:/.*)?$`)
}

export const ignoreRulesOf = (text: string): Rule[] =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => {
      const exclude = !l.startsWith("!")
      const cleaned = posix.normalize(exclude ? l : l.slice(1).trim()).replace(/^\/+/, "")
      return { exclude, pattern: regexOf(cleaned) }
    })

export const isIgnored = (rules: ReadonlyArray<Rule>, path: string): boolean =>
  rules.reduce((ignored, rule) => (rule.pattern.test(path) ? rule.exclude : ignored), false)

/** Relative (posix) paths of every file and link Docker would send from `dir`. */
export const contextFiles = (dir: string): string[] => {
  const ignoreFile = join(dir, ".dockerignore")
  const rules = existsSync(ignoreFile) ? ignoreRulesOf(readFileSync(ignoreFile, "utf8")) : []
  const canReinclude = rules.some((r) => !r.exclude)
  const files: string[] = []
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel === "" ? entry.name : `${rel}/${entry.name}`
      const ignored = isIgnored(rules, path)
      if (entry.isDirectory()) {
        if (!ignored || canReinclude) walk(path)
      } else if (!ignored) files.push(path)
    }
  }
  walk("")
  return files.sort()
}
