import type { Review } from "../../core/ai-reply"
import type { Attempt, Level } from "../../core/attempt"
import { escapeHtml as e } from "../../core/html"
import { shownQuote } from "../../core/quotes"
import { plainTitle } from "../../core/texts"
import type { CaseSpec, Component } from "./spec"

/** How each level is named to the learner: «собеседник: жёсткий». */
export const levelLabels: Readonly<Record<Level, string>> = {
  soft: "мягкий",
  normal: "обычный",
  hard: "жёсткий",
}

/** What the step asks for, without the examples the models get: the first sentences of its definition. */
const meaning = (c: Component) => c.definition.split(/\s+Считается:/)[0]!.trim()

/** Texts every case shares (Russian, «ты», HTML). Case-specific sentences live in each case's texts.ts. */
export const kernelTexts = {
  buttons: {
    start: "🎬 Начать тренировку",
    theory: "📚 Изучить теорию",
    restart: "🔄 Начать заново",
    analysis: "📊 Получить анализ",
    menu: "🏠 В главное меню",
    tryAgain: "🔄 Попробовать ещё раз",
    retry: "🔁 Повторить",
    rehear: "🔁 Распознать ещё раз",
    retryReview: "🔁 Повторить разбор",
    hint: "💡 Подсказка",
    soft: "🙂 Мягкий",
    normal: "😐 Обычный",
    hard: "😤 Жёсткий",
  },
  levelsNote:
    "<i>Собеседник может быть мягким, обычным или жёстким — от этого зависит, как быстро он уступает. «🎬 Начать тренировку» — с обычным.</i>",
  levelChosen: (spec: CaseSpec, level: Level) =>
    level === "soft"
      ? `🙂 Сегодня ${e(spec.persona.name)} настроен мягче обычного: легче идёт на контакт и быстрее соглашается.`
      : `😤 Сегодня ${e(spec.persona.name)} упирается сильнее обычного: уступает только на точные факты и искренний интерес.`,
  hint: (c: Component, said?: string) =>
    `💡 <b>Ещё не прозвучало: ${e(c.label)}.</b>\n${e(said ?? meaning(c))}\n\n<i>Сформулируй своими словами — так навык закрепится лучше, чем по готовой фразе.</i>`,
  hintAllShown: "💡 Все шаги уже прозвучали. Можно завершить разговор или нажать «📊 Получить анализ».",
  inputPlaceholder: "Твоя реплика…",
  alreadyRunning: "Тренировка уже идёт: продолжай разговор или нажми «🔄 Начать заново».",
  guideSent: "📄 Отправляю памятку",
  /** «Памятка — Обратная связь подчинённому.pdf»: the title without its emoji. */
  guideFileName: (spec: CaseSpec) => `Памятка — ${plainTitle(spec.texts.title)}.pdf`,
  guideMissing: "😔 Памятка сейчас недоступна. Попробуй позже.",
  tooShort: (spec: CaseSpec) =>
    `📝 Пока анализировать нечего: скажи ${e(spec.persona.dative)} хотя бы одну реплику, потом жми «📊 Получить анализ».`,
  finishAfterAnswer: (spec: CaseSpec) =>
    `⏳ ${e(spec.persona.name)} ещё отвечает — дождёмся ответа, и сразу будет разбор. Все твои реплики в него войдут.`,
  finishAfterVoice: "⏳ Дослушиваю твоё голосовое — разбор будет сразу после него, и оно в него войдёт.",
  finishUnanswered: (spec: CaseSpec) =>
    `🤖 ${e(spec.persona.name)} сейчас не может ответить. Разбор всё равно будет: твои последние реплики войдут в него без ответа.`,
  finishOverLimit: (spec: CaseSpec) =>
    `⏳ На сегодня лимит реплик исчерпан, так что ${e(spec.persona.name)} уже не ответит. Разбор всё равно будет: твои последние реплики войдут в него без ответа.`,
  /** Stands in the transcript for the persona's line the dialogue ended before (the reviewer's rules explain it). */
  noAnswer: "(ответа не было: разговор закончился раньше)",
  disputed: "спорно",
  disputedWhy: "оценки разошлись, поэтому шаг не засчитан",
  leave: {
    question: (spec: CaseSpec) =>
      `⏸ Тренировка «${e(spec.texts.title)}» ещё не закончена. Что с ней сделать?\n\n<i>Если бросить, разговор останется без разбора и не попадёт в результаты.</i>`,
    buttons: {
      stay: "💬 Продолжить разговор",
      finish: "📊 Закончить и получить разбор",
      drop: "🗑 Бросить без разбора",
      review: "🔁 Повторить разбор",
    },
    reviewQuestion: (spec: CaseSpec) =>
      `⏸ Разбор тренировки «${e(spec.texts.title)}» не получился, но разговор сохранён. Повторить разбор или бросить этот разговор?\n\n<i>Если бросить, разговор не попадёт в результаты.</i>`,
    reviewComing:
      "⏳ Дописываю разбор прошлого разговора — он придёт через несколько секунд. После него можно начинать новое.",
    stayed: "👌 Продолжаем разговор с того же места.",
    chosen: (label: string) => `Твой выбор: ${e(label)}`,
  },
  personaUnavailable: (spec: CaseSpec) =>
    `🤖 ${e(spec.persona.name)} сейчас не может ответить. Твоя реплика сохранена — нажми «🔁 Повторить» или напиши её заново.`,
  reviewUnavailable: "😔 Разбор сейчас не получился. Диалог сохранён — нажми «🔁 Повторить разбор».",
  allCovered: "✅ <b>Разговор завершён.</b> Готовлю разбор…",
  closeNow:
    "✅ Все шаги методики прозвучали. Теперь заверши разговор: подведи итог и попрощайся одной репликой — или сразу жми «📊 Получить анализ».",
  outOfTurns: (spec: CaseSpec) =>
    `⏱ <b>Реплики закончились</b> — все ${spec.maxTurns} сказаны. Готовлю разбор…`,
  manualFinish: "🔍 Заканчиваем разговор. Готовлю разбор…",
  reviewInProgress:
    "⏳ Разбор уже готовится, ещё немного. Разговор закончен: новые реплики в него не попадут.",
  left: "Тренировка остановлена. Начать её заново можно из меню в любой момент.",
  notInCase: "Сейчас нет активной тренировки. Выбрать ситуацию — /start",
  queued: "⏳ Сейчас много желающих потренироваться — ты в очереди, ответ будет через несколько секунд.",
  heard: (text: string) => `🎤 <i>Распознано:</i> «${e(text)}»`,
  notHeard: "🎤 Не удалось разобрать слова. Повтори, пожалуйста, чуть громче — или напиши текстом.",
  voiceFailed: "🎤 Сейчас не получается распознать голосовое. Попробуй ещё раз или напиши реплику текстом.",
  voiceFailedKept:
    "🎤 Сейчас не получается распознать голосовое. Оно сохранено: нажми «🔁 Распознать ещё раз» чуть позже — или напиши реплику текстом.",
  dailyLimit:
    "⏳ На сегодня лимит реплик исчерпан — это защита от перегрузки. Завтра можно продолжить, а пока загляни в памятку.",
  dailyLimitKept:
    "⏳ На сегодня лимит реплик исчерпан — это защита от перегрузки. Твоя реплика сохранена: завтра нажми «🔁 Повторить», и разговор продолжится с неё.",
  dailyLimitVoice:
    "⏳ На сегодня лимит реплик исчерпан — это защита от перегрузки. Голосовое сохранено: завтра нажми «🔁 Распознать ещё раз», и разговор продолжится с него.",
  afterReview: "Хочешь закрепить? Сыграй этот разговор ещё раз, пока советы свежие.",
}

/** An error the learner may hit again: with SUPPORT_CONTACT set, where to write if it keeps happening. */
export const withSupport = (html: string, support?: string): string =>
  support ? `${html}\nЕсли повторяется — напиши в поддержку: ${e(support)}` : html

/** The persona's line as the learner sees it. */
export const personaLine = (spec: CaseSpec, reply: string): string =>
  `${spec.persona.emoji} <b>${e(spec.persona.name)}:</b> ${e(reply)}`

/** Compact live checklist: every component with ✅/▫️, the turn counter, and (for admins) this turn's flags. */
export const checklist = (
  spec: CaseSpec,
  covered: ReadonlyArray<string>,
  turn: number,
  thisTurn: ReadonlyArray<string> | null,
): string => {
  const marks = spec.methodology.components
    .map((c) => `${covered.includes(c.key) ? "✅" : "▫️"}${c.letter}`)
    .join(" ")
  const judged = spec.methodology.components
    .filter((c) => thisTurn?.includes(c.key))
    .map((c) => c.letter)
    .join(", ")
  const admin =
    thisTurn === null
      ? ""
      : `\n🛠 <i>видно только админам:</i> ${judged ? `судья засчитал в этой реплике ${judged}` : "в этой реплике судья ничего не засчитал"}`
  return `<i>${marks} · ${covered.length}/${spec.methodology.components.length} · реплика ${turn} из ${spec.maxTurns}</i>${admin}`
}

const bullets = (items: ReadonlyArray<string>) => items.map((item) => `• ${e(item)}`).join("\n")

/** The review: the score and verdict first, details per component in an expandable quote. */
export const renderReview = (
  spec: CaseSpec,
  review: Review,
  covered: ReadonlyArray<string>,
  attempt: Pick<Attempt, "number" | "hints" | "level">,
  disputed: ReadonlyArray<string> = [],
): string => {
  const components = spec.methodology.components
  const found = (key: string) => review.components.find((c) => c.key === key)
  const score = components.filter((c) => covered.includes(c.key)).length
  const mark = (key: string) => (covered.includes(key) ? "✅" : disputed.includes(key) ? "❔" : "❌")
  const marks = components
    .map((c) => `${mark(c.key)} ${e(c.label)}${disputed.includes(c.key) ? ` — ${kernelTexts.disputed}` : ""}`)
    .join("\n")
  const details = components
    .map((c) => {
      const item = found(c.key)
      if (covered.includes(c.key))
        return `✅ <b>${e(c.label)}</b>${item?.evidence ? `: «${e(shownQuote(item.evidence))}»` : ""}`
      const lead = `${mark(c.key)} <b>${e(c.label)}</b>${disputed.includes(c.key) ? ` (${kernelTexts.disputedWhy})` : ""}`
      return `${lead}${item?.better ? `: можно было сказать «${e(item.better)}»` : ""}`
    })
    .join("\n")
  return [
    `🎓 <b>Разбор: ${e(spec.texts.title)}</b>`,
    // «🚀 Карьерный диалог» is also its methodology's name: said once, in the title.
    `Попытка №${attempt.number} · ${spec.texts.title.includes(spec.methodology.name) ? "пройдено шагов" : e(spec.methodology.name)}: <b>${score} из ${components.length}</b>`,
    `Собеседник: ${levelLabels[attempt.level]} · ${attempt.hints === 0 ? "без подсказок" : `💡 подсказок: ${attempt.hints}`}`,
    "",
    `<b>Итог:</b> ${e(review.overall)}`,
    "",
    marks,
    ...(review.strengths.length > 0 ? ["", "<b>Что получилось</b>", bullets(review.strengths)] : []),
    ...(review.growth.length > 0 ? ["", "<b>Что усилить</b>", bullets(review.growth.slice(0, 3))] : []),
    "",
    `<blockquote expandable><b>Подробно по шагам</b>\n${details}</blockquote>`,
  ].join("\n")
}
