import { expect, test } from "bun:test"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

const SRC = join(import.meta.dir, "../../src")

// The files every update passes through (receipt, the stages, the step's save, its replies).
const STAGES = readdirSync(join(SRC, "pipeline/stages")).map((name) => `pipeline/stages/${name}`)
const HOT = [...STAGES, "pipeline/commit.ts", "pipeline/interpret-chat.ts", "intake/receive.ts"]

// `(…) => Effect.gen(function* () {…})` makes a new generator function on every call. JavaScriptCore dropped each
// one's optimised code at the next collection and compiled it again, up to 110 times in a 35 s P1 run: a fifth of
// the bot's CPU (bench/HISTORY.md, step 36). `Effect.fnUntraced(function* (…) {…})` makes its generator once.
test("the hot path makes no generator function per call (Effect.fnUntraced, not Effect.gen)", () => {
  const offenders = HOT.filter((file) => readFileSync(join(SRC, file), "utf8").includes("Effect.gen("))
  expect(offenders).toEqual([])
})
