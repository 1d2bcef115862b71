import type { Level, Turn } from "../../core/attempt"
import personaCard from "./prompts/persona-card.md" with { type: "text" }
import personaLevel from "./prompts/persona-level.md" with { type: "text" }
import personaRules from "./prompts/persona-rules.md" with { type: "text" }
import reviewerRules from "./prompts/reviewer-rules.md" with { type: "text" }
import type { CaseSpec } from "./spec"
import { kernelTexts, levelLabels } from "./texts"

export interface PromptMessage {
  readonly role: "user" | "assistant"
  readonly content: string
}

export interface Prompt {
  readonly system: string
  readonly messages: ReadonlyArray<PromptMessage>
}

/**
 * Replaces every `{{name}}` placeholder; an unknown placeholder is a programming error, not a silent blank.
 * HTML comments (notes for prompt authors) are dropped: the model never sees them.
 */
export const fill = (template: string, vars: Readonly<Record<string, string>>): string =>
  template.replace(/<!--[\s\S]*?-->\s*/g, "").replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = vars[name]
    if (value === undefined) throw new Error(`prompt placeholder {{${name}}} has no value`)
    return value
  })

export const componentList = (spec: CaseSpec) =>
  spec.methodology.components.map((c) => `- **${c.key}** (${c.label}): ${c.definition}`).join("\n")

export const keyList = (spec: CaseSpec) => spec.methodology.components.map((c) => `"${c.key}"`).join(", ")

/**
 * The persona request for the next learner line. Pure. History is rebuilt from our own attempt state every turn
 * (providers keep nothing); earlier persona answers are replayed in the same JSON shape the model must produce.
 * The persona only plays the person: the rubric and the verdicts are the judge's (judge.ts).
 */
export const personaPrompt = (
  spec: CaseSpec,
  turns: ReadonlyArray<Turn>,
  text: string,
  level: Level = "normal",
): Prompt => {
  const history = turns.flatMap((turn): PromptMessage[] => [
    { role: "user", content: turn.learner },
    { role: "assistant", content: JSON.stringify({ reply: turn.persona }) },
  ])
  const list = (items: ReadonlyArray<string>) => items.map((item) => `- ${item}`).join("\n")
  const card = fill(personaCard, {
    persona_name: spec.persona.name,
    persona_who: spec.persona.who,
    persona_traits: list(spec.persona.traits),
    persona_must_not: list(spec.persona.mustNot),
    learner_role: spec.learnerRole,
    learner_label: spec.texts.learnerLabel,
  })
  const behaviour = spec.levels[level]
  const difficulty = fill(personaLevel, {
    level: levelLabels[level],
    concedes: behaviour.concedes,
    pushback: list(behaviour.pushback),
  })
  return {
    system: [card, spec.prompts.persona, difficulty, fill(personaRules, {})]
      .map((part) => part.trim())
      .join("\n\n"),
    messages: [...history, { role: "user", content: text }],
  }
}

/** The dialogue as the reviewer reads it: speakers set by us, every line's words as a JSON string (data). */
export const transcriptData = (spec: CaseSpec, turns: ReadonlyArray<Turn>): string =>
  JSON.stringify(
    turns.flatMap((t) => [
      { speaker: spec.texts.learnerLabel, text: t.learner },
      // A line the dialogue ended before the persona could answer has an empty reply: the reviewer sees it marked.
      { speaker: spec.persona.name, text: t.persona === "" ? kernelTexts.noAnswer : t.persona },
    ]),
    null,
    1,
  )

/**
 * The reviewer request for a finished dialogue. Pure. The rubric and the per-turn verdicts are the system prompt;
 * the dialogue is a JSON array in the user message, so no learner text can create a speaker label, a tag or a
 * verdict.
 */
export const reviewPrompt = (
  spec: CaseSpec,
  turns: ReadonlyArray<Turn>,
  covered: ReadonlyArray<string>,
): Prompt => {
  const detected =
    spec.methodology.components
      .map((c) => `- ${c.key} (${c.label}): ${covered.includes(c.key) ? "да" : "нет"}`)
      .join("\n") || "—"
  return {
    system: `${spec.prompts.reviewer.trim()}\n\n${fill(reviewerRules, { components: componentList(spec), keys: keyList(spec), detected }).trim()}`,
    messages: [{ role: "user", content: transcriptData(spec, turns) }],
  }
}
