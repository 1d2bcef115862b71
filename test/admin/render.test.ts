import { describe, expect, test } from "bun:test"
import { statsChartSvg } from "../../src/admin/chart"
import { renderStats } from "../../src/admin/render"
import { cases } from "../../src/cases/registry"
import { visibleText } from "../../src/core/html"
import type { AdminStats } from "../../src/core/views"
import { renderPng } from "../../src/services/charts"
import { decodePng, drawnIn } from "../support/png"

const stats = (trust: AdminStats["scores"][number]["trust"]): AdminStats => ({
  roles: [],
  active7: 0,
  active30: 0,
  attempts: [{ caseId: "fb_employee", outcome: "completed", count: 2 }],
  started: [{ caseId: "fb_employee", count: 2 }],
  scores: [{ caseId: "fb_employee", avgScore: 2, covered: [["Behavior"], []], trust }],
  ratings: [],
  comments: [],
  ai: [],
})

describe("/stats: trust in the verdicts per case", () => {
  test("two sampled reviews of five steps, one step split; 2 of 8 model quotes not in the learner's words", () => {
    const text = renderStats(
      stats({ reviewed: 2, disputedSteps: 1, quotesProposed: 8, quotesUnverified: 2 }),
      "Europe/Moscow",
    )
    expect(text).toContain("доверие к разбору: спорных шагов 10% (1 из 10), непроверенных цитат 25% (2 из 8)")
  })

  test("no sampled review yet but judged quotes → the share of steps is «—», not a division by zero", () => {
    const text = renderStats(
      stats({ reviewed: 0, disputedSteps: 0, quotesProposed: 3, quotesUnverified: 0 }),
      "Europe/Moscow",
    )
    expect(text).toContain("спорных шагов —, непроверенных цитат 0% (0 из 3)")
  })

  test("nothing reviewed or quoted → no trust line at all", () => {
    const text = renderStats(
      stats({ reviewed: 0, disputedSteps: 0, quotesProposed: 0, quotesUnverified: 0 }),
      "Europe/Moscow",
    )
    expect(text).not.toContain("доверие к разбору")
  })
})

describe("/stats tells the truth", () => {
  const empty: AdminStats = {
    roles: [{ role: "user", users: 3 }],
    active7: 1,
    active30: 2,
    attempts: [],
    started: [{ caseId: "fb_peer", count: 2 }],
    scores: [],
    ratings: [{ question: "will_help_at_work", answers: 2, avg: 7.5 }],
    comments: [
      { userId: 11, name: "Аня", username: "anya", comment: "Полезно", at: Date.UTC(2026, 11, 4, 21, 30) },
      { userId: 12, name: null, username: null, comment: "Ещё кейсов", at: Date.UTC(2026, 11, 4, 9, 0) },
    ],
    ai: [],
  }

  test("every case in menu order; no average where nobody finished; survey by label in order with counts", () => {
    const text = visibleText(renderStats(empty, "Europe/Moscow"))
    const lines = text.split("\n")
    const caseLines = lines.filter((l) => cases.some((c) => l.startsWith(c.texts.title)))
    expect(caseLines).toEqual([
      `${cases[0]!.texts.title}: начато 0, завершённых с разбором пока нет`,
      `${cases[1]!.texts.title}: начато 2, завершённых с разбором пока нет`,
      `${cases[2]!.texts.title}: начато 0, завершённых с разбором пока нет`,
    ])
    expect(text).not.toContain("в среднем 0.0")
    const survey = lines.slice(
      lines.indexOf("Опрос (от 1 до 10)") + 1,
      lines.indexOf("Опрос (от 1 до 10)") + 4,
    )
    expect(survey).toEqual([
      "Общее впечатление: ответов пока нет",
      "Посоветуешь коллегам: ответов пока нет",
      "Поможет в работе: 7.5 (ответов: 2)",
    ])
    expect(text).not.toContain("will_help_at_work")
  })

  test("comment authors by name, times in the configured zone named once", () => {
    const text = visibleText(renderStats(empty, "Europe/Moscow"))
    expect(text).toContain("Последние комментарии (время — МСК)")
    expect(text).toContain("• «Полезно» — Аня @anya (11), 05.12.2026 00:30")
    expect(text).toContain("• «Ещё кейсов» — удалённый пользователь (12), 04.12.2026 12:00")
  })

  test("a finished case: the average over its own number of steps", () => {
    const career = cases[2]!
    const text = visibleText(
      renderStats(
        {
          ...empty,
          attempts: [{ caseId: career.id, outcome: "manual", count: 1 }],
          started: [{ caseId: career.id, count: 1 }],
          scores: [
            {
              caseId: career.id,
              avgScore: 3,
              covered: [[]],
              trust: { reviewed: 0, disputedSteps: 0, quotesProposed: 0, quotesUnverified: 0 },
            },
          ],
        },
        "UTC",
      ),
    )
    expect(text).toContain(`в среднем 3.0 из ${career.methodology.components.length}`)
  })
})

describe("the /stats chart", () => {
  test("every case gets a slot with an axis; bars are drawn where there were attempts, read back from the PNG", async () => {
    const svg = statsChartSvg({
      ...stats({ reviewed: 0, disputedSteps: 0, quotesProposed: 0, quotesUnverified: 0 }),
      attempts: [
        { caseId: cases[0]!.id, outcome: "completed", count: 7 },
        { caseId: cases[0]!.id, outcome: "manual", count: 3 },
        { caseId: cases[2]!.id, outcome: "out_of_moves", count: 4 },
      ],
    })
    for (const c of cases) expect(svg).toContain(c.texts.title.replace(/^[^\p{L}\p{N}]+/u, ""))
    expect(svg).toContain("Попыток с разбором")
    const png = decodePng(await renderPng(svg))
    expect([png.width, png.height]).toEqual([900, 520])
    // The plot spans x 80…870 in three slots; bars fill the middle 60 % of each, between y 70 and 410.
    const slot = (870 - 80) / 3
    const bar = (i: number) =>
      drawnIn(png, Math.round(80 + slot * i + slot * 0.3), Math.round(80 + slot * i + slot * 0.7), 200, 380)
    expect(bar(0)).toBeGreaterThan(1000)
    expect(bar(1)).toBe(0)
    expect(bar(2)).toBeGreaterThan(1000)
    // The axis: a dark vertical line left of the plot.
    expect(drawnIn(png, 79, 82, 100, 400)).toBeGreaterThan(250)
  })
})

describe("/users: someone given a role before their first visit", () => {
  test("no name yet → the row has no blank name and the button shows the id", async () => {
    const { renderUsers } = await import("../../src/admin/people")
    const never = { userId: 700013, firstName: "", username: null, role: "user" as const }
    const page = renderUsers(
      { users: [{ ...never, lastActive: { at: null, day: null } }], total: 1, query: "", page: 0 },
      "UTC",
    )
    expect(page.html).toContain("<code>700013</code> — пользователь")
    expect(JSON.stringify(page.keyboard)).toContain("👤 ID 700013")
  })
})
