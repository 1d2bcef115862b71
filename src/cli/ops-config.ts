import { Result } from "effect"
import { type AppConfig, formatConfigErrors, parseConfig } from "../config/config"
import { environment } from "../config/dotenv"

/** Configuration for an ops command: only the database settings matter, so BOT_TOKEN is not required. Exits on error. */
export const loadOpsConfig = (): AppConfig => {
  const env = environment(process.env)
  const config = parseConfig({ ...env, BOT_TOKEN: env.BOT_TOKEN || "ops-command" })
  if (Result.isSuccess(config)) return config.success
  console.error(formatConfigErrors(config.failure))
  process.exit(1)
}
