import { afterAll, setDefaultTimeout } from "bun:test"

// Files run in three worker processes (`bun run test`): a hook that boots PGlite may take longer than Bun's 5 s then.
setDefaultTimeout(30_000)

// Tests never read a developer's .env and never log unless asked to.
process.env.LOG_LEVEL ??= "silent"
process.env.EMCO_SKIP_DOTENV = "1"

afterAll(async () => {
  const { dropAllDatabases } = await import("./database")
  await dropAllDatabases()
  // R7, over the whole run: no secret and no learner's words in any log line or Sentry envelope.
  const { scanForLeaks } = await import("./leak-scan")
  const scan = scanForLeaks()
  console.log(
    `R7 leak scan: ${scan.lines} log lines and reports, ${scan.canaries} secrets and texts, ${scan.leaks.length} leaks`,
  )
  if (scan.leaks.length > 0) {
    for (const leak of scan.leaks.slice(0, 20)) console.error(`LEAK (${leak.what}): ${leak.line}`)
    throw new Error(`R7: ${scan.leaks.length} log lines or reports contain a secret or dialogue text`)
  }
})
