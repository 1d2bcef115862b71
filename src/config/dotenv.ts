import { existsSync, readFileSync } from "node:fs"

/** Parses KEY=VALUE lines (with optional quotes and `export`); comments and blank lines are skipped. */
export const parseDotEnv = (text: string): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)?\s*$/.exec(line)
    if (!match?.[1]) continue
    let value = (match[2] ?? "").trim()
    const quoted = /^(["'])(.*?)\1\s*(?:#.*)?$/.exec(value)
    if (quoted) value = quoted[1] === '"' ? (quoted[2] ?? "").replace(/\\n/g, "\n") : (quoted[2] ?? "")
    else value = value.replace(/\s+#.*$/, "")
    out[match[1]] = value
  }
  return out
}

/**
 * The environment the bot runs with: real variables win over `.env` (the original let `.env` override
 * deployment secrets). Bun also auto-loads `.env` without overriding, so this is a safety net for `bun run`
 * from another directory and keeps the rule explicit and tested.
 */
export const environment = (
  real: Record<string, string | undefined>,
  dotenvPath = ".env",
): Record<string, string | undefined> => {
  if (real.EMCO_SKIP_DOTENV === "1" || !existsSync(dotenvPath)) return real
  return { ...parseDotEnv(readFileSync(dotenvPath, "utf8")), ...definedOnly(real) }
}

const definedOnly = (env: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""))
