import { levelLabels } from "../cases/kernel/texts"
import type { Level } from "../core/attempt"
import { escapeHtml as e } from "../core/html"
import { plural } from "../core/texts"

/** «📈 Мои результаты», the history of attempts and the trend after a review (Russian, «ты», HTML). */
export const historyTexts = {
  title: "📈 <b>Мои результаты</b>",
  empty:
    "📈 Здесь появятся твои результаты после первой тренировки с разбором: все попытки, прогресс по каждому шагу и то, что стоит потренировать.",
  caseHeader: (title: string, attempts: number, best: number, latest: number, total: number) =>
    `<b>${e(title)}</b> · ${attempts} ${plural(attempts, "попытка", "попытки", "попыток")} · лучший результат ${best} из ${total}, последний ${latest} из ${total}`,
  stepLine: (label: string, percent: number, bar: string) => `${bar} ${e(label)} — ${percent}%`,
  weakest: (label: string) => `🎯 Слабее всего пока: <b>${e(label)}</b>`,
  progressNote: "<i>Проценты — как часто шаг звучал в твоих попытках; последние весят больше.</i>",
  untried: (titles: ReadonlyArray<string>) => `<b>Ещё не пробовали:</b> ${titles.map(e).join(", ")}`,
  listHeader: (page: number, pages: number, total: number, zone: string) =>
    `<b>Попытки</b>, новые сверху${pages > 1 ? ` — страница ${page} из ${pages}` : ""}, всего ${total} (время — ${e(zone)}). Нажми на попытку, чтобы открыть разбор:`,
  listLine: (n: number, title: string, when: string, score: number, total: number, level: Level) =>
    `№${n} · ${e(title)} · ${when} · ${score} из ${total}${level === "normal" ? "" : ` · ${levelLabels[level]}`}`,
  buttons: {
    newer: "◀️ Новее",
    older: "Старее ▶️",
    practise: (label: string, title: string) => `🎯 ${label}: ${title}`,
    start: (title: string) => `▶️ ${title}`,
    open: (n: number, date: string, title: string) => `№${n} · ${date} · ${title}`,
    transcript: "💬 Показать диалог",
    back: "⬅️ К результатам",
    again: "🔄 Пройти ещё раз",
  },
  attemptHeader: (when: string, zone: string) => `🗂 <i>Из истории: ${when} (${e(zone)})</i>`,
  textsExpired:
    "<i>Текст разбора и диалог этой попытки уже удалены по правилам хранения — остались только отметки по шагам.</i>",
  attemptGone: "Этой попытки уже нет — возможно, данные были удалены. Открой свежие результаты.",
  transcriptTitle: (title: string, n: number) => `💬 <b>Диалог: ${e(title)}, попытка №${n}</b>`,
  transcriptGone: "💬 Диалога этой попытки уже нет: его текст удалён по правилам хранения.",
  you: "Ты",
  noAnswer: "(без ответа)",
  trend: (label: string, before: string, now: string) => `📈 ${e(label)}: ${before} → ${now}`,
  trendWindow: (shown: number, of: number, last: boolean) =>
    `${shown} из ${of}${last ? ` ${plural(of, "последней", "последних", "последних")}` : ""}`,
  firstAttempt: (label: string) =>
    `📈 Первая попытка в этом кейсе. Над чем поработать дальше: <b>${e(label)}</b>. Весь прогресс — в «📈 Мои результаты».`,
  allShown: "📈 Все шаги прозвучали — так держать!",
} as const
