import { rubricVersion } from "../cases/kernel/rubric"
import { findCase } from "../cases/registry"
import type { Cmd } from "../core/commands"

/**
 * What a review depends on: the case, its rubric version, every line of the dialogue and the per-turn verdicts.
 * The same key means the same question, so the stored answer is given again (the same dialogue → the same verdict).
 * The learner is part of the key: a stored verdict is theirs alone and goes with /forget_me.
 */
export const reviewKey = (cmd: Extract<Cmd, { _tag: "AskReview" }>, userId: number): string | null => {
  const spec = findCase(cmd.caseId)
  if (!spec) return null
  const hasher = new Bun.CryptoHasher("sha256")
  hasher.update(
    JSON.stringify([
      userId,
      cmd.caseId,
      rubricVersion(spec),
      cmd.turns.map((t) => [t.learner, t.persona, t.covered]),
      cmd.covered,
    ]),
  )
  return hasher.digest("hex")
}
