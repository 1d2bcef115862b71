import { memoizedBy } from "../../core/memo"
import judgeRules from "./prompts/judge-rules.md" with { type: "text" }
import reviewerRules from "./prompts/reviewer-rules.md" with { type: "text" }
import type { CaseSpec } from "./spec"

/**
 * The rubric version of a case: a hash of everything a verdict depends on — the step definitions, the case's
 * reviewer prose and the shared judge and reviewer rules. Stored with each attempt, so verdicts made under
 * different rubrics are never compared as if they were one.
 */
export const rubricVersion = memoizedBy((spec: CaseSpec): string => {
  const hasher = new Bun.CryptoHasher("sha256")
  hasher.update(JSON.stringify([spec.id, spec.methodology, spec.prompts.reviewer, judgeRules, reviewerRules]))
  return hasher.digest("hex").slice(0, 12)
})
