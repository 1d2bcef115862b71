import judgeRules from "./prompts/judge-rules.md" with { type: "text" }
import reviewerRules from "./prompts/reviewer-rules.md" with { type: "text" }
import type { CaseSpec } from "./spec"

const versions = new WeakMap<CaseSpec, string>()

/**
 * The rubric version of a case: a hash of everything a verdict depends on — the step definitions, the case's
 * reviewer prose and the shared judge and reviewer rules. Stored with each attempt, so verdicts made under
 * different rubrics are never compared as if they were one.
 */
export const rubricVersion = (spec: CaseSpec): string => {
  const known = versions.get(spec)
  if (known) return known
  const hasher = new Bun.CryptoHasher("sha256")
  hasher.update(JSON.stringify([spec.id, spec.methodology, spec.prompts.reviewer, judgeRules, reviewerRules]))
  const version = hasher.digest("hex").slice(0, 12)
  versions.set(spec, version)
  return version
}
