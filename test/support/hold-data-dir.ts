/**
 * A process that holds an embedded data directory's lock (argv[2]) until SIGTERM: the other process of
 * test/services/data-dir-lock.test.ts. Prints «held» once it has the lock.
 */
import { lockDataDir } from "../../src/services/data-dir-lock"

await lockDataDir(process.argv[2]!, { waitMs: 0 })
console.log("held")
process.on("SIGTERM", () => process.exit(0))
setInterval(() => {}, 60_000)
