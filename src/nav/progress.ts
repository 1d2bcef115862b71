import type { CaseSpec, Component } from "../cases/kernel/spec"

/** How much each older attempt counts against the one after it: the latest attempts say most about the learner. */
const DECAY = 0.7
/** Attempts the weighted share looks at (older ones weigh under 5 % of the latest). */
const HORIZON = 8
/** The trend compares the last few attempts before and after the newest one. */
const TREND_WINDOW = 4

export interface StepShare {
  readonly component: Component
  /** 0…1: how often the step was shown, recent attempts weighted more. */
  readonly share: number
}

/** Per step of the case: the weighted share of attempts that showed it. `history` is newest first. Pure. */
export const stepShares = (spec: CaseSpec, history: ReadonlyArray<ReadonlyArray<string>>): StepShare[] => {
  const recent = history.slice(0, HORIZON)
  const weights = recent.map((_, i) => DECAY ** i)
  const total = weights.reduce((a, b) => a + b, 0)
  return spec.methodology.components.map((component) => ({
    component,
    share:
      total === 0
        ? 0
        : recent.reduce((sum, covered, i) => sum + (covered.includes(component.key) ? weights[i]! : 0), 0) /
          total,
  }))
}

/**
 * The step to practise: the lowest weighted share (the earlier step of the algorithm on a tie); none when every
 * step was shown in every recent attempt (no step is weak then). Pure.
 */
export const weakestStep = (
  spec: CaseSpec,
  history: ReadonlyArray<ReadonlyArray<string>>,
): Component | null => {
  if (history.length === 0) return null
  const lowest = stepShares(spec, history).reduce((a, b) => (b.share < a.share ? b : a))
  return lowest.share < 1 ? lowest.component : null
}

export interface Trend {
  readonly component: Component
  readonly before: { readonly shown: number; readonly of: number }
  readonly now: { readonly shown: number; readonly of: number }
}

const countIn = (attempts: ReadonlyArray<ReadonlyArray<string>>, key: string) =>
  attempts.filter((covered) => covered.includes(key)).length

/**
 * What the newest attempt changed: the step whose count over the last few attempts moved most (a gain before a
 * loss, then the algorithm's order), or the weakest step when nothing moved. Null for a first attempt. Pure.
 */
export const trendOf = (spec: CaseSpec, history: ReadonlyArray<ReadonlyArray<string>>): Trend | null => {
  if (history.length < 2) return null
  const now = history.slice(0, TREND_WINDOW)
  const before = history.slice(1, TREND_WINDOW + 1)
  const moves = spec.methodology.components.map((component) => ({
    component,
    before: { shown: countIn(before, component.key), of: before.length },
    now: { shown: countIn(now, component.key), of: now.length },
  }))
  const delta = (m: Trend) => m.now.shown / m.now.of - m.before.shown / m.before.of
  const changed = moves.filter((m) => m.now.shown !== m.before.shown || m.now.of !== m.before.of)
  const moved = [...changed].sort((a, b) => Math.abs(delta(b)) - Math.abs(delta(a)) || delta(b) - delta(a))[0]
  if (moved && delta(moved) !== 0) return moved
  const weakest = weakestStep(spec, history)
  return moves.find((m) => m.component.key === weakest?.key) ?? null
}
