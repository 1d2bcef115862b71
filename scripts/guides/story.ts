import type { CaseSpec } from "../../src/cases/kernel/spec"

/**
 * The guide's story parts from the case (src/cases/<id>/story.ts): `{{examples}}` becomes one bullet per step of the
 * method with the card's own example line, `{{dialogue}}` the sample conversation. The Markdown keeps the method's
 * explanation; what happened and who says what comes from one place.
 */
export const expandStory = (markdown: string, spec: CaseSpec): string => {
  const { components } = spec.methodology
  const { story } = spec
  const stepsOf = (letters: string) =>
    letters
      .split(/,\s*/)
      .map((letter) => components.find((c) => c.letter === letter))
      .filter((c) => c !== undefined)
      .map((c) => `${c.letter} — ${c.label}`)
      .join(", ")
  const examples = components
    .map(
      (c, i) =>
        `   - **${c.letter} — ${c.label}:** «${story.examples[i]}»${/[?!.…]$/.test(story.examples[i] ?? "") ? "" : "."}`,
    )
    .join("\n")
  const dialogue = story.dialogue
    .map(({ who, line, steps }) => {
      const speaker = who === "learner" ? spec.texts.learnerLabel : spec.persona.name
      return `> **${speaker}:** ${line}${steps ? ` *(${stepsOf(steps)})*` : ""}`
    })
    .join("\n>\n")
  // A guide lists every example together ({{examples}}) or one under each step of its algorithm ({{example:<key>}}).
  const each = components.every((c) => markdown.includes(`{{example:${c.key}}}`))
  for (const placeholder of [each ? "{{example:…}}" : "{{examples}}", "{{dialogue}}"])
    if (placeholder !== "{{example:…}}" && !markdown.includes(placeholder))
      throw new Error(`guide ${spec.id}: no ${placeholder} in its Markdown`)
  const lines = examples.split("\n")
  return components
    .reduce((md, c, i) => md.replace(`{{example:${c.key}}}`, lines[i]!), markdown)
    .replace("{{examples}}", examples)
    .replace("{{dialogue}}", dialogue)
    .replace("{{closing}}", story.closing)
}
