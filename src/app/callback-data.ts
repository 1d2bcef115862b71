import type { Button } from "./commands"
import type { CallbackData } from "./model"

const NAV_TARGETS = ["menu", "faq", "help"] as const

/** Typed codec for inline-button payloads; anything unknown decodes to `Unknown` (a stale button). */
export const callbackData = {
  nav: (target: (typeof NAV_TARGETS)[number]): string => `nav:${target}`,
  decode: (raw: string): CallbackData => {
    const [scope, value, ...rest] = raw.split(":")
    if (scope === "nav" && rest.length === 0 && NAV_TARGETS.includes(value as (typeof NAV_TARGETS)[number]))
      return { _tag: "Nav", target: value as (typeof NAV_TARGETS)[number] }
    return { _tag: "Unknown", raw }
  },
}

export const button = (text: string, data: string): Button => ({ text, data })
