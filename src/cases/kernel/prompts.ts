import type { Turn } from "../../core/attempt"
import personaCard from "./prompts/persona-card.md" with { type: "text" }
import personaRules from "./prompts/persona-rules.md" with { type: "text" }
import reviewerRules from "./prompts/reviewer-rules.md" with { type: "text" }
import type { CaseSpec } from "./spec"
import { kernelTexts } from "./texts"

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

const componentList = (spec: CaseSpec) =>
  spec.methodology.components.map((c) => `- **${c.key}** (${c.label}): ${c.definition}`).join("\n")

const keyList = (spec: CaseSpec) => spec.methodology.components.map((c) => `"${c.key}"`).join(", ")

const sharedVars = (spec: CaseSpec) => ({
  components: componentList(spec),
  keys: keyList(spec),
  persona_name: spec.persona.name,
})

/**
 * The persona request for the next learner line. Pure. History is rebuilt from our own attempt state every turn
 * (providers keep nothing); earlier persona answers are replayed in the same JSON shape the model must produce.
 */
export const personaPrompt = (spec: CaseSpec, turns: ReadonlyArray<Turn>, text: string): Prompt => {
  const flags = (turn: Turn) =>
    Object.fromEntries(spec.methodology.components.map((c) => [c.key, turn.covered.includes(c.key)]))
  const history = turns.flatMap((turn): PromptMessage[] => [
    { role: "user", content: turn.learner },
    { role: "assistant", content: JSON.stringify({ ...flags(turn), reply: turn.persona }) },
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
  return {
    system: [card, spec.prompts.persona, fill(personaRules, sharedVars(spec))]
      .map((part) => part.trim())
      .join("\n\n"),
    messages: [...history, { role: "user", content: text }],
  }
}

/** The reviewer request for a finished dialogue. Pure. The transcript is data inside the prompt. */
export const reviewPrompt = (
  spec: CaseSpec,
  turns: ReadonlyArray<Turn>,
  covered: ReadonlyArray<string>,
): Prompt => {
  // A line the dialogue ended before the persona could answer has an empty reply: the reviewer sees it marked.
  const transcript = turns
    .flatMap((t) => [
      `${spec.texts.learnerLabel}: ${t.learner}`,
      `${spec.persona.name}: ${t.persona === "" ? kernelTexts.noAnswer : t.persona}`,
    ])
    .join("\n")
  const detected =
    spec.methodology.components
      .map((c) => `- ${c.key} (${c.label}): ${covered.includes(c.key) ? "да" : "нет"}`)
      .join("\n") || "—"
  return {
    system: `${spec.prompts.reviewer.trim()}\n\n${fill(reviewerRules, { ...sharedVars(spec), transcript, detected }).trim()}`,
    messages: [{ role: "user", content: "Оцени этот диалог по правилам выше и ответь только JSON." }],
  }
}
