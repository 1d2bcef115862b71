import { describe, expect, test } from "bun:test"
import judgeRules from "../../src/cases/kernel/prompts/judge-rules.md" with { type: "text" }
import personaRules from "../../src/cases/kernel/prompts/persona-rules.md" with { type: "text" }
import reviewerRules from "../../src/cases/kernel/prompts/reviewer-rules.md" with { type: "text" }
import type { CaseSpec } from "../../src/cases/kernel/spec"
import { cases, findCase } from "../../src/cases/registry"

interface CaseCommand {
  readonly spec: CaseSpec
  readonly action: "start" | "stop"
}

/** The case a command name (without the slash) starts or stops. */
const caseByCommand = (command: string): CaseCommand | undefined => {
  for (const spec of cases) {
    if (spec.commands.start === command) return { spec, action: "start" }
    if (spec.commands.stop === command) return { spec, action: "stop" }
  }
  return undefined
}

/** Telegram HTML as the bot sends it: only these tags, no attributes, properly nested, every <, >, & escaped. */
const ALLOWED_TAGS = new Set(["b", "i", "u", "blockquote", "code"])

const htmlProblem = (html: string): string | null => {
  const stack: string[] = []
  let i = 0
  while (i < html.length) {
    const c = html.charAt(i)
    if (c === "<") {
      const end = html.indexOf(">", i)
      if (end < 0) return `bare < at ${i}`
      const m = /^<(\/?)([a-z]+)>$/.exec(html.slice(i, end + 1))
      if (!m) return `malformed or unsupported tag ${html.slice(i, end + 1)}`
      const [, closing, name] = m as unknown as [string, string, string]
      if (!ALLOWED_TAGS.has(name)) return `tag <${name}> is not allowed`
      if (closing) {
        const open = stack.pop()
        if (open !== name) return `</${name}> closes ${open ? `<${open}>` : "nothing"}`
      } else {
        if (stack.includes(name)) return `<${name}> nested in itself`
        stack.push(name)
      }
      i = end + 1
    } else if (c === ">") {
      return `bare > at ${i}`
    } else if (c === "&") {
      const m = /^&(lt|gt|amp|quot);/.exec(html.slice(i))
      if (!m) return `bare & at ${i}`
      i += m[0].length
    } else {
      i++
    }
  }
  return stack.length > 0 ? `unclosed <${stack.join(">, <")}>` : null
}

/** Formal «вы» in any form; the product speaks «ты» to learners and to the models alike. */
const FORMAL = /(?<!\p{L})(?:[Вв]ы|[Вв]а(?:с|м|ми)|[Вв]аш\p{L}*)(?!\p{L})/u

const placeholders = (text: string): string[] => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1] ?? "")

/** The names a kernel rule file declares in its leading HTML comment ("  name — what it is"). */
const declared = (text: string): string[] => {
  const comment = /^<!--([\s\S]*?)-->/.exec(text)?.[1] ?? ""
  return [...comment.matchAll(/^\s+(\w+)\s+—/gm)].map((m) => m[1] ?? "")
}
const body = (text: string): string => text.replace(/^<!--[\s\S]*?-->/, "")

const htmlTexts = (spec: CaseSpec) =>
  [
    ["title", spec.texts.title],
    ["description", spec.texts.description],
    ["algorithm", spec.texts.algorithm],
    ["stopped", spec.texts.stopped],
    ["guideCaption", spec.texts.guideCaption],
  ] as const

/** Every Russian string of a case: what users see and what the models read. */
const allTexts = (spec: CaseSpec): ReadonlyArray<readonly [string, string]> => [
  ...htmlTexts(spec),
  ["learnerLabel", spec.texts.learnerLabel],
  ["learnerRole", spec.learnerRole],
  ["persona.who", spec.persona.who],
  ...spec.persona.traits.map((t, n) => [`persona.traits[${n}]`, t] as const),
  ...spec.persona.mustNot.map((t, n) => [`persona.mustNot[${n}]`, t] as const),
  ["methodology.name", spec.methodology.name],
  ...spec.methodology.components.flatMap((c) => [
    [`${c.key}.label`, c.label] as const,
    [`${c.key}.letter`, c.letter] as const,
    [`${c.key}.definition`, c.definition] as const,
  ]),
  ["prompts.persona", spec.prompts.persona],
  ["prompts.reviewer", spec.prompts.reviewer],
]

describe("the HTML checker of this file", () => {
  test("accepts allowed, nested and escaped markup", () => {
    expect(htmlProblem("<b>1 &lt; 2 &amp;&amp; <i>да</i></b>\n<blockquote>x</blockquote>")).toBeNull()
  })
  const bad: ReadonlyArray<readonly [string, string]> = [
    ["<b>x</i>", "mismatched close"],
    ["<b>x", "unclosed"],
    ["<a href='x'>x</a>", "attributes / disallowed tag"],
    ["<s>x</s>", "disallowed tag"],
    ["1 < 2", "bare <"],
    ["1 > 2", "bare >"],
    ["R&D", "bare &"],
    ["<b><b>x</b></b>", "self-nesting"],
  ]
  for (const [html, why] of bad)
    test(`rejects ${why}: ${html}`, () => expect(htmlProblem(html)).not.toBeNull())

  test("the formal-address regex catches «вы» forms but not words that start with them", () => {
    for (const s of ["Вы готовы?", "у вас", "вам", "с вами", "Ваша задача", "вашего"])
      expect(s).toMatch(FORMAL)
    for (const s of ["выход", "вызвал", "высокий", "вдвое", "ваза", "Ты"]) expect(s).not.toMatch(FORMAL)
  })
})

describe("registry", () => {
  test("three cases in menu order", () => {
    expect(cases.map((c) => c.id)).toEqual(["fb_employee", "fb_peer", "career_dialog"])
  })

  test("ids are unique", () => {
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length)
  })

  test("command names are valid Bot API names and unique across cases", () => {
    const names = cases.flatMap((c) => [c.commands.start, c.commands.stop])
    for (const name of names) expect(name).toMatch(/^[a-z0-9_]{1,32}$/)
    expect(new Set(names).size).toBe(names.length)
  })

  test("findCase by id; unknown id → undefined", () => {
    for (const spec of cases) expect(findCase(spec.id)).toBe(spec)
    expect(findCase("nope")).toBeUndefined()
  })

  test("caseByCommand resolves start and stop commands; anything else → undefined", () => {
    for (const spec of cases) {
      expect(caseByCommand(spec.commands.start)).toEqual({ spec, action: "start" })
      expect(caseByCommand(spec.commands.stop)).toEqual({ spec, action: "stop" })
    }
    expect(caseByCommand("aidemo")?.spec.id).toBe("fb_employee")
    expect(caseByCommand("fbpeer_stop")).toEqual({ spec: findCase("fb_peer")!, action: "stop" })
    expect(caseByCommand("career")?.spec.id).toBe("career_dialog")
    expect(caseByCommand("start")).toBeUndefined()
    expect(caseByCommand("")).toBeUndefined()
  })
})

const expected: Record<string, { start: string; stop: string; name: string; emoji: string; turns: number }> =
  {
    fb_employee: { start: "aidemo", stop: "aidemo_stop", name: "Евгений", emoji: "💬", turns: 5 },
    fb_peer: { start: "fbpeer", stop: "fbpeer_stop", name: "Александр", emoji: "👥", turns: 5 },
    career_dialog: { start: "career", stop: "career_stop", name: "Максим", emoji: "👨‍💻", turns: 6 },
  }

for (const spec of cases) {
  describe(`case ${spec.id}`, () => {
    test("commands, persona and turn limit as agreed", () => {
      const want = expected[spec.id]!
      expect(spec.commands).toEqual({ start: want.start, stop: want.stop })
      expect(spec.persona.name).toBe(want.name)
      expect(spec.persona.emoji).toBe(want.emoji)
      expect(spec.maxTurns).toBe(want.turns)
      expect(spec.liveChecklist).toBe(true)
      expect(spec.guide).toBe(`${spec.id}.pdf`)
    })

    test("exactly five components with unique keys, letters and labels", () => {
      const components = spec.methodology.components
      expect(components).toHaveLength(5)
      for (const c of components) expect(c.key).toMatch(/^[A-Z][A-Za-z]+$/)
      for (const field of ["key", "letter", "label"] as const)
        expect(new Set(components.map((c) => c[field])).size).toBe(5)
    })

    test("definitions say what counts and what does not", () => {
      for (const c of spec.methodology.components) {
        expect(c.definition).toContain("Считается:")
        expect(c.definition).toContain("Не считается:")
        expect(c.definition).not.toContain("\n")
      }
    })

    test("every text is non-empty", () => {
      for (const [name, text] of allTexts(spec))
        expect({ name, empty: text.trim() === "" }).toEqual({ name, empty: false })
      expect(spec.persona.traits.length).toBeGreaterThan(0)
      expect(spec.persona.mustNot.length).toBeGreaterThan(0)
    })

    test("learnerRole is lowercase", () => {
      expect(spec.learnerRole).toBe(spec.learnerRole.toLowerCase())
    })

    test("HTML texts are well-formed Telegram HTML", () => {
      for (const [name, html] of htmlTexts(spec))
        expect({ name, problem: htmlProblem(html) }).toEqual({ name, problem: null })
    })

    test("title fits a menu button, description and algorithm fit a phone screen", () => {
      expect(spec.texts.title.length).toBeLessThanOrEqual(40)
      expect(spec.texts.description.length).toBeLessThanOrEqual(900)
      expect(spec.texts.algorithm.length).toBeLessThanOrEqual(1200)
    })

    test("description and algorithm state the real turn limit", () => {
      const turns = new RegExp(`(?<!\\d)${spec.maxTurns} реплик`)
      expect(spec.texts.description).toMatch(turns)
      expect(spec.texts.algorithm).toMatch(turns)
      for (const other of [5, 6].filter((n) => n !== spec.maxTurns)) {
        const wrong = new RegExp(`(?<!\\d)${other} реплик`)
        expect(spec.texts.description).not.toMatch(wrong)
        expect(spec.texts.algorithm).not.toMatch(wrong)
      }
    })

    test("description points to «📊 Получить анализ»; algorithm names every dialogue button and voice", () => {
      expect(spec.texts.description).toContain("«📊 Получить анализ»")
      for (const label of ["🔄 Начать заново", "📊 Получить анализ", "🏠 В главное меню"])
        expect(spec.texts.algorithm).toContain(`«${label}»`)
      expect(spec.texts.algorithm).toContain("голосов")
    })

    test("algorithm gives an example line for every component letter", () => {
      for (const c of spec.methodology.components)
        expect(spec.texts.algorithm).toContain(`<b>${c.letter}</b>`)
    })

    test("stop text points back to the start command", () => {
      expect(spec.texts.stopped).toContain(`/${spec.commands.start}`)
    })

    test("prompts are non-empty, name the persona and carry no placeholders of their own", () => {
      expect(spec.prompts.persona.trim().length).toBeGreaterThan(500)
      expect(spec.prompts.reviewer.trim().length).toBeGreaterThan(500)
      expect(spec.prompts.persona).toContain(spec.persona.name)
      expect(spec.prompts.reviewer).toContain(spec.texts.learnerLabel)
      expect(placeholders(spec.prompts.persona)).toEqual([])
      expect(placeholders(spec.prompts.reviewer)).toEqual([])
    })

    test("no formal «вы» anywhere: learners and models are addressed with «ты»", () => {
      for (const [name, text] of allTexts(spec))
        expect({ name, formal: FORMAL.exec(text)?.[0] ?? null }).toEqual({ name, formal: null })
    })
  })
}

describe("kernel rule prompts", () => {
  const files = [
    ["persona-rules.md", personaRules, []],
    ["reviewer-rules.md", reviewerRules, ["components", "keys", "detected"]],
    ["judge-rules.md", judgeRules, ["persona_name", "learner_label", "components", "keys"]],
  ] as const

  for (const [file, text, required] of files) {
    test(`${file}: declares exactly the placeholders the kernel fills`, () => {
      expect(declared(text).sort()).toEqual([...required].sort())
    })

    test(`${file}: uses every declared placeholder exactly once, nothing else, none inside the comment`, () => {
      const used = placeholders(body(text))
      expect([...used].sort()).toEqual(declared(text).sort())
      expect(placeholders(text.slice(0, text.length - body(text).length))).toEqual([])
    })

    test(`${file}: non-empty and no formal «вы»`, () => {
      expect(body(text).trim().length).toBeGreaterThan(500)
      expect(FORMAL.exec(text)?.[0] ?? null).toBeNull()
    })
  }

  test("persona rules spell out the JSON contract and leave judging to the judge", () => {
    expect(personaRules).toContain('"reply"')
    expect(body(personaRules)).not.toMatch(/"present"|"quote"|\{\{components\}\}/)
  })

  test("judge rules spell out the per-step answer: present as a real boolean, the quote verbatim", () => {
    for (const word of ['"present"', '"quote"', "true", "false", "learner_line"])
      expect(judgeRules).toContain(word)
  })

  test("reviewer rules spell out every field of the review", () => {
    for (const field of [
      "overall",
      "components",
      "key",
      "covered",
      "evidence",
      "better",
      "strengths",
      "growth",
    ])
      expect(reviewerRules).toContain(`"${field}"`)
  })
})
