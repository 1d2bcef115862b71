import { describe, expect, test } from "bun:test"
import { finalVerdict } from "../../../src/cases/kernel/dialogue"
import { checklist, kernelTexts, personaLine, renderReview } from "../../../src/cases/kernel/texts"
import type { Review } from "../../../src/core/ai-reply"
import { visibleText } from "../../../src/core/html"
import { plain } from "../../support/review-header"
import { review } from "./scenario"
import { otherCase, testCase } from "./test-case"

/** Telegram's HTML parse mode: the tags it knows, and the attributes each may carry. */
const TAGS: Readonly<Record<string, ReadonlyArray<string>>> = {
  b: [],
  strong: [],
  i: [],
  em: [],
  u: [],
  ins: [],
  s: [],
  strike: [],
  del: [],
  code: [],
  pre: [],
  "tg-spoiler": [],
  blockquote: ["expandable"],
}

/**
 * Problems Telegram would reject the message for: unknown tags or attributes, bad nesting, a bare `<`, `>` or
 * `&` outside a tag or a known entity. Empty when the text is valid.
 */
const htmlProblems = (html: string): string[] => {
  const problems: string[] = []
  const open: string[] = []
  const token = /<(\/?)([a-z-]+)((?:\s+[a-z-]+)*)\s*>|&(?:lt|gt|amp|quot|#\d+|#x[0-9a-f]+);|[<>&]/gi
  for (const m of html.matchAll(token)) {
    const [whole, closing, name, attrs] = m
    if (name === undefined) {
      if (whole.length === 1) problems.push(`bare ${whole} at ${m.index}`)
      continue
    }
    const allowed = TAGS[name]
    if (!allowed) {
      problems.push(`unknown tag <${name}>`)
      continue
    }
    if (closing) {
      if (attrs?.trim()) problems.push(`attributes on </${name}>`)
      const top = open.pop()
      if (top !== name) problems.push(`</${name}> closes <${top ?? "nothing"}>`)
    } else {
      for (const attr of attrs?.trim().split(/\s+/).filter(Boolean) ?? [])
        if (!allowed.includes(attr)) problems.push(`attribute ${attr} on <${name}>`)
      open.push(name)
    }
  }
  for (const name of open) problems.push(`<${name}> never closed`)
  return problems
}

const tricky = `<b>жирно</b> & "кавычки" *звёзды* _подчёркивание_ 'апостроф' \`код\` [ссылка](x) </blockquote> &amp;`

const hostile: Review = {
  overall: `Итог: ${tricky}`,
  components: [
    { key: "A", covered: true, evidence: `a<b && c>d ${tricky}`, better: "" },
    { key: "B", covered: false, evidence: "", better: `<script>alert(1)</script> ${tricky}` },
    { key: "C", covered: true, evidence: "<", better: "" },
    { key: "D", covered: false, evidence: "", better: "&" },
    { key: "E", covered: false, evidence: "", better: "" },
  ],
  strengths: [`сильное ${tricky}`, "<i>"],
  growth: [`рост ${tricky}`, ">", "&lt;уже экранировано&gt;"],
}

describe("htmlProblems (the checker itself)", () => {
  test("catches what Telegram rejects", () => {
    expect(htmlProblems("<b>ok</b> &lt; &amp; &#60;")).toEqual([])
    expect(htmlProblems("a < b")).toEqual(["bare < at 2"])
    expect(htmlProblems("<b><i>x</b></i>")).toHaveLength(2)
    expect(htmlProblems("<script>x</script>")).toHaveLength(2)
    expect(htmlProblems("<blockquote collapse>x</blockquote>")).toEqual([
      "attribute collapse on <blockquote>",
    ])
    expect(htmlProblems("<b>x")).toEqual(["<b> never closed"])
    expect(htmlProblems("AT&T")).toEqual(["bare & at 2"])
  })
})

describe("renderReview", () => {
  test("is valid Telegram HTML even when the review, the quotes and the case's names carry markup characters", () => {
    const html = renderReview(testCase, hostile, ["A", "C"], plain(1))
    expect(htmlProblems(html)).toEqual([])
  })

  test("loses nothing: every text of the review reaches the reader verbatim", () => {
    const seen = visibleText(renderReview(testCase, hostile, ["A", "C"], plain(1)))
    for (const part of [
      hostile.overall,
      `a<b && c>d ${tricky}`,
      `<script>alert(1)</script> ${tricky}`,
      `сильное ${tricky}`,
      `рост ${tricky}`,
      "&lt;уже экранировано&gt;",
      testCase.texts.title,
      "Гамма <3>",
      "Дельта & Ко",
    ])
      expect(seen).toContain(part)
  })

  test("the exact layout: title, attempt and score, verdict, marks, strengths, growth, details in an expandable quote", () => {
    expect(renderReview(testCase, review, ["A", "B"], plain(2))).toBe(
      [
        "🎓 <b>Разбор: 🧪 Тестовый &lt;кейс&gt; &amp; проверка</b>",
        "Попытка №2 · ТЕСТ: <b>2 из 5</b>",
        "Собеседник: обычный · без подсказок",
        "",
        `<b>Итог:</b> ${review.overall}`,
        "",
        "✅ Альфа",
        "✅ Бета",
        "❌ Гамма &lt;3&gt;",
        "❌ Дельта &amp; Ко",
        "❌ Эпсилон",
        "",
        "<b>Что получилось</b>",
        "• Назвал факт",
        "",
        "<b>Что усилить</b>",
        "• Скажи о своём отношении",
        "",
        "<blockquote expandable><b>Подробно по шагам</b>",
        "✅ <b>Альфа</b>: «Во вторник ты не заполнил чек-лист»",
        "✅ <b>Бета</b>: «Из-за этого машина стояла»",
        "❌ <b>Гамма &lt;3&gt;</b>: можно было сказать «Меня это тревожит»",
        "❌ <b>Дельта &amp; Ко</b>: можно было сказать «Что предлагаешь?»",
        "❌ <b>Эпсилон</b>: можно было сказать «Договорились: до пятницы»</blockquote>",
      ].join("\n"),
    )
  })

  test.each([
    [[], 0],
    [["A"], 1],
    [["A", "C", "E"], 3],
    [["E", "D", "C", "B", "A"], 5],
    [["A", "A", "Z", "unknown"], 1],
  ] as const)("score: covered %p → %p of 5", (covered, k) => {
    const html = renderReview(testCase, review, covered, plain(1))
    expect(html).toContain(`ТЕСТ: <b>${k} из 5</b>`)
    expect(html.match(/^✅ [^<]/gm) ?? []).toHaveLength(k)
    expect(html.match(/^❌ [^<]/gm) ?? []).toHaveLength(5 - k)
  })

  test("growth is capped at three points", () => {
    const html = renderReview(
      testCase,
      { ...review, growth: ["один", "два", "три", "четыре", "пять"] },
      [],
      plain(1),
    )
    expect(html).toContain("<b>Что усилить</b>\n• один\n• два\n• три\n")
    expect(html).not.toContain("четыре")
  })

  test("empty strengths and growth → their sections are left out", () => {
    const html = renderReview(testCase, { ...review, strengths: [], growth: [] }, [], plain(1))
    expect(html).not.toContain("Что получилось")
    expect(html).not.toContain("Что усилить")
    expect(htmlProblems(html)).toEqual([])
  })

  test("a component the reviewer left out → its line without a quote or suggestion", () => {
    const html = renderReview(testCase, { ...review, components: [] }, ["A"], plain(1))
    expect(html).toContain("✅ <b>Альфа</b>\n")
    expect(html).toContain("❌ <b>Бета</b>\n")
  })

  // The reviewer may overrule the per-turn judge (with a quote); its verdict is final, so the disputed step is
  // shown as missed, with the reviewer's suggestion, and the score follows.
  test("a step the reviewer disputes → its verdict wins and its suggestion is shown", () => {
    const disputed: Review = {
      ...review,
      components: review.components.map((c) =>
        c.key === "B"
          ? { key: "B", covered: false, evidence: "", better: "Из-за этого стояли три самосвала" }
          : c,
      ),
    }
    const verdict = finalVerdict(testCase, disputed, ["A", "B"])
    expect(verdict).toEqual(["A"])
    const html = renderReview(testCase, disputed, verdict, plain(1))
    expect(html).toContain("Из-за этого стояли три самосвала")
    expect(html).toContain("<b>1 из 5</b>")
  })
})

describe("checklist", () => {
  test("marks every component, counts covered of all, shows the turn of the limit, in italics", () => {
    expect(checklist(testCase, ["A", "C"], 2, null)).toBe("<i>✅А ▫️Б ✅В ▫️Г ▫️Д · 2/5 · реплика 2 из 4</i>")
    expect(checklist(otherCase, [], 1, null)).toBe("<i>▫️1 ▫️2 ▫️3 ▫️4 ▫️5 · 0/5 · реплика 1 из 6</i>")
  })

  test("for admins: this turn's flags on a second line, in methodology order; a dash when none", () => {
    expect(checklist(testCase, ["A", "C", "E"], 3, ["E", "A"])).toBe(
      "<i>✅А ▫️Б ✅В ▫️Г ✅Д · 3/5 · реплика 3 из 4</i>\n🛠 <i>видно только админам:</i> судья засчитал в этой реплике А, Д",
    )
    expect(checklist(testCase, ["A"], 2, [])).toBe(
      "<i>✅А ▫️Б ▫️В ▫️Г ▫️Д · 1/5 · реплика 2 из 4</i>\n🛠 <i>видно только админам:</i> в этой реплике судья ничего не засчитал",
    )
  })

  test("is valid Telegram HTML", () => {
    expect(htmlProblems(checklist(testCase, ["A"], 1, ["A"]))).toEqual([])
  })
})

describe("kernel texts", () => {
  test("the persona's name and line are escaped wherever they appear", () => {
    expect(personaLine(testCase, `<b>x</b> & y`)).toBe(
      "🧪 <b>Тест &lt;Персона&gt; &amp; Ко:</b> &lt;b&gt;x&lt;/b&gt; &amp; y",
    )
    for (const html of [kernelTexts.personaUnavailable(testCase)]) {
      expect(htmlProblems(html)).toEqual([])
      expect(visibleText(html)).toContain(testCase.persona.name)
    }
    // «скажи Евгению»: the dative form, escaped the same way.
    expect(htmlProblems(kernelTexts.tooShort(testCase))).toEqual([])
    expect(visibleText(kernelTexts.tooShort(testCase))).toContain(testCase.persona.dative)
  })

  test("the out-of-turns text states the case's real limit", () => {
    expect(kernelTexts.outOfTurns(testCase)).toContain("все 4 сказаны")
    expect(kernelTexts.outOfTurns(otherCase)).toContain("все 6 сказаны")
  })

  test("every fixed kernel text is valid Telegram HTML", () => {
    const fixed = Object.values(kernelTexts).filter((v): v is string => typeof v === "string")
    expect(fixed.length).toBeGreaterThan(5)
    for (const html of fixed) expect(htmlProblems(html)).toEqual([])
  })

  test("the manual-finish texts name the button exactly as the keyboard labels it", () => {
    expect(kernelTexts.tooShort(testCase)).toContain(`«${kernelTexts.buttons.analysis}»`)
    expect(kernelTexts.personaUnavailable(testCase)).toContain(`«${kernelTexts.buttons.retry}»`)
    expect(kernelTexts.reviewUnavailable).toContain(`«${kernelTexts.buttons.retryReview}»`)
    expect(kernelTexts.alreadyRunning).toContain(`«${kernelTexts.buttons.restart}»`)
  })
})
