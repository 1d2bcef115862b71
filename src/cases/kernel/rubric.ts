import { memoizedBy } from "../../core/memo"
import judgeRules from "./prompts/judge-rules.md" with { type: "text" }
import reviewerRules from "./prompts/reviewer-rules.md" with { type: "text" }
import type { CaseSpec } from "./spec"

/** How code turns the samples' votes into a verdict (verdict.ts); raised when that rule changes. */
const DECISION_RULE = 2

/**
 * The rubric version of a case: a hash of everything a verdict depends on — the step definitions, the case's
 * reviewer prose, the shared judge and reviewer rules and the decision rule. Stored with each attempt, so verdicts
 * made under different rubrics are never compared as if they were one.
 */
export const rubricVersion = memoizedBy((spec: CaseSpec): string => {
  const hasher = new Bun.CryptoHasher("sha256")
  hasher.update(
    JSON.stringify([
      spec.id,
      spec.methodology,
      spec.prompts.reviewer,
      judgeRules,
      reviewerRules,
      DECISION_RULE,
    ]),
  )
  return hasher.digest("hex").slice(0, 12)
})
