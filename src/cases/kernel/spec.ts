import type { Level } from "../../core/attempt"
import type { Cmd } from "../../core/commands"
import type { Envelope } from "../../core/model"
import type { CaseStory } from "./story"

/**
 * A role-play case is data: who the learner talks to, which methodology judges the talk, the limits, and the
 * texts and prompts in Russian. The one kernel reducer runs every case; adding a case is adding a folder.
 */

/** One step of the methodology, judged per learner line by the persona model and summed up by the reviewer. */
export interface Component {
  /** JSON key the models return, stable across versions (stats and attempts refer to it): "Behavior". */
  readonly key: string
  /** Short mark for checklists: "П" or an emoji. */
  readonly letter: string
  /** Russian label: "Поведение". */
  readonly label: string
  /** Precise definition for the models, with what counts and what does NOT count (Russian). */
  readonly definition: string
}

export interface Persona {
  readonly name: string
  /** The name in the dative case, for texts like «скажи Евгению»: "Евгению". */
  readonly dative: string
  /** OpenAI TTS voice for voice replies ("onyx", "ash", "echo"…); each persona sounds different. */
  readonly voice?: string
  readonly emoji: string
  /** Who they are, one or two sentences (Russian). */
  readonly who: string
  readonly traits: ReadonlyArray<string>
  /** What the persona must never do (e.g. propose a solution before being asked). */
  readonly mustNot: ReadonlyArray<string>
}

/** How the persona behaves at one level of difficulty (Russian, for the persona's prompt). */
export interface LevelBehaviour {
  /** How quickly and on what the persona concedes. */
  readonly concedes: string
  /** What they push back with. */
  readonly pushback: ReadonlyArray<string>
}

/** The three levels a learner can pick on the case card: «мягкий / обычный / жёсткий». */
export type CaseLevels = Readonly<Record<Level, LevelBehaviour>>

export interface CaseTexts {
  /** Menu button and card title: "📋 Обратная связь подчинённому". */
  readonly title: string
  /** The case card shown before starting (HTML): the situation, the learner's role, the counterpart, the task. */
  readonly description: string
  /** The start message (HTML): the algorithm with one example line per step. States the real turn limit. */
  readonly algorithm: string
  /** How the learner is called in transcripts and prompts: "Руководитель", "Коллега". */
  readonly learnerLabel: string
  /** Sent by the stop command (HTML). */
  readonly stopped: string
  /** Caption of the PDF guide (HTML). */
  readonly guideCaption: string
  /**
   * What each step asks of the learner, said to them («ты», plain text), for «💡 Подсказка»; by component key. A step
   * without one is explained by its definition's first part.
   */
  readonly hints?: Readonly<Record<string, string>>
}

export interface CaseSpec {
  /** Persisted id (stats, attempts): "fb_employee" | "fb_peer" | "career_dialog" | … */
  readonly id: string
  /** Command names without the slash: { start: "aidemo", stop: "aidemo_stop" }. */
  readonly commands: { readonly start: string; readonly stop: string }
  readonly persona: Persona
  /** The learner's role in the scene (Russian, lowercase): "руководитель отдела". */
  readonly learnerRole: string
  readonly methodology: {
    /** "ПРОВД", "Карьерный диалог". */
    readonly name: string
    readonly components: ReadonlyArray<Component>
  }
  /** The dialogue ends after this many learner lines. */
  readonly maxTurns: number
  /** Show the live checklist of covered components after each turn. */
  readonly liveChecklist: boolean
  readonly texts: CaseTexts
  /** The situation as the card and the guide tell it (story.ts). */
  readonly story: CaseStory
  /** How the persona plays at each level of difficulty (stored with the attempt, shown in the history). */
  readonly levels: CaseLevels
  /** Case-specific prompt prose (Markdown, Russian); the kernel appends the shared rules and the JSON contract. */
  readonly prompts: { readonly persona: string; readonly reviewer: string }
  /** File name of the PDF guide under static/guides/. */
  readonly guide: string
}

/** The dialogue may end early once every component was covered and at least this many turns happened. */
export const MIN_TURNS_FOR_EARLY_FINISH = 2

/**
 * What the role-play reducer is set up with: the cases it runs, and what it needs from the app around it (injected,
 * as the cases import only the core): the home screen a learner who leaves a dialogue lands on.
 */
export interface RoleplaySetup {
  readonly cases: ReadonlyArray<CaseSpec>
  readonly home: (ev: Envelope) => ReadonlyArray<Cmd>
}
