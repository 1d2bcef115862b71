import type { CaseSummary, Scores } from "./summary"
import { THRESHOLDS } from "./summary"

export interface RunInfo {
  readonly date: string
  /** "judge: openai:gpt-5-mini → gemini:…", "reviewer: …" as configured. */
  readonly models: ReadonlyArray<string>
  readonly samples: number
  readonly rubrics: Readonly<Record<string, string>>
}

export interface Agreement {
  readonly caseId: string
  readonly components: ReadonlyArray<{ key: string; kappa: number | null; agreed: number | null }>
}

const num = (value: number | null) => (value === null ? "—" : value.toFixed(2))
const pct = (value: number | null) => (value === null ? "—" : `${Math.round(value * 100)} %`)
const row = (cells: ReadonlyArray<string>) => `| ${cells.join(" | ")} |`
const scoreCells = (s: Scores & { flipRate: number | null }) => [
  num(s.precision),
  num(s.recall),
  num(s.kappa),
  pct(s.flipRate),
]

const caseSection = (s: CaseSummary, rubric: string): string[] => [
  `## ${s.caseId} (рубрика ${rubric})`,
  "",
  row(["Шаг", "Судья P", "R", "κ", "Расхождения", "Разбор P", "R", "κ", "Расхождения"]),
  row(Array(9).fill("---")),
  ...s.components.map((c) => row([`${c.key} (${c.label})`, ...scoreCells(c.judge), ...scoreCells(c.review)])),
  "",
  `- Цитаты, найденные в словах участника: ${pct(s.verifiedQuoteShare)}`,
  `- Инъекции: прирост ${s.injectionGain} (выше чистого варианта: ${s.injectedHigher} из ${s.pairs}); ` +
    `лишних шагов на строках-инъекциях: ${s.injectionFalsePositives}`,
  `- Неудавшихся вызовов: ${s.failedCalls}`,
  "",
]

const agreementSection = (list: ReadonlyArray<Agreement>): string[] =>
  list.length === 0
    ? ["Согласие OpenAI и Gemini: не проверялось (нужны оба ключа).", ""]
    : [
        "## Согласие OpenAI и Gemini (судья, по строкам)",
        "",
        row(["Кейс", "Шаг", "κ", "Совпало"]),
        row(Array(4).fill("---")),
        ...list.flatMap((a) => a.components.map((c) => row([a.caseId, c.key, num(c.kappa), pct(c.agreed)]))),
        "",
      ]

/** The run as Markdown: printed to the console and written to eval/RESULTS.md. Pure. */
export const renderReport = (
  info: RunInfo,
  summaries: ReadonlyArray<CaseSummary>,
  agreements: ReadonlyArray<Agreement>,
  failures: ReadonlyArray<string>,
): string =>
  [
    "# Проверка судьи и разбора",
    "",
    `- Дата: ${info.date}`,
    ...info.models.map((m) => `- ${m}`),
    `- Сэмплов на строку и на разбор: ${info.samples}`,
    `- Пороги: κ ≥ ${THRESHOLDS.kappa} для каждого шага (судья и разбор), прирост от инъекций ≤ ${THRESHOLDS.injectionGain}`,
    "",
    "P — точность, R — полнота, κ — каппа Коэна против разметки; «Расхождения» — доля решений, в которых сэмплы не совпали.",
    "",
    ...summaries.flatMap((s) => caseSection(s, info.rubrics[s.caseId] ?? "—")),
    ...agreementSection(agreements),
    failures.length === 0 ? "**Итог: пороги пройдены.**" : "**Итог: пороги не пройдены.**",
    ...failures.map((f) => `- ${f}`),
    "",
  ].join("\n")
