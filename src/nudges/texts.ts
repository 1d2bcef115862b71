import { zoneLabel } from "../core/dates"
import { escapeHtml as e } from "../core/html"

/** NUDGE_SCHEDULE's default: Mondays at 11:00. */
export const DEFAULT_NUDGE_SCHEDULE = "0 0 11 * * 1"

const ON_DAYS = [
  "по воскресеньям",
  "по понедельникам",
  "по вторникам",
  "по средам",
  "по четвергам",
  "по пятницам",
  "по субботам",
]

/**
 * «по понедельникам в 11:00 (МСК)» for a weekly cron pattern (seconds minutes hours * * weekday), or a plain «раз в
 * неделю» for anything less simple.
 */
export const whenText = (cron: string, timeZone: string): string => {
  const [sec, min, hour, day, month, weekday, ...rest] = cron.trim().split(/\s+/)
  const simple =
    rest.length === 0 &&
    day === "*" &&
    month === "*" &&
    /^\d+$/.test(`${sec}${min}${hour}`) &&
    /^[0-7]$/.test(weekday ?? "")
  if (!simple) return "раз в неделю"
  const time = `${hour!.padStart(2, "0")}:${min!.padStart(2, "0")}`
  return `${ON_DAYS[Number(weekday) % 7]} в ${time} (${zoneLabel(timeZone)})`
}

/** The weekly practice reminder and /settings (Russian, «ты», gender-neutral). */
export const nudgeTexts = {
  weakest: (step: string, title: string) =>
    `👋 Напоминание о тренировке.\n\nСлабее всего у тебя пока «<b>${e(step)}</b>» в кейсе «${e(title)}». Один разговор на пару минут — и этот шаг станет увереннее.`,
  start: "👋 Напоминание о тренировке: выбери ситуацию — разговор займёт пару минут, разбор придёт сразу.",
  allShown:
    "👋 Напоминание о тренировке. В последних разговорах у тебя прозвучали все шаги — закрепи это: попробуй другую ситуацию или собеседника посложнее.",
  practise: (step: string) => `🎯 Потренировать «${step}»`,
  menu: "🏠 Выбрать ситуацию",
  turnOff: "🔕 Отключить напоминания",
  /** What the nudge broadcast row keeps as its text (each learner gets their own). */
  broadcastHtml: "Еженедельное напоминание о тренировке (персональное для каждого)",
  settings: (on: boolean, when: string) =>
    [
      "⚙️ <b>Настройки</b>",
      "",
      `🔔 Напоминание раз в неделю: <b>${on ? "включено" : "выключено"}</b>`,
      on
        ? `Напомню потренироваться ${e(when)} и подскажу, какой шаг сейчас слабее всего.`
        : `Могу напоминать потренироваться ${e(when)} и подсказывать, какой шаг сейчас слабее всего.`,
    ].join("\n"),
  on: "🔔 Включить напоминания",
  off: "🔕 Выключить напоминания",
  turnedOn: "🔔 Напоминания включены",
  turnedOff: "🔕 Напоминания выключены",
} as const
