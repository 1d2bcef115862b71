import type { RejectReason } from "./model"

/** The Russian plural form for `n`: 1 минута, 2 минуты, 5 минут. */
export const plural = (n: number, one: string, few: string, many: string): string => {
  const mod10 = n % 10
  const mod100 = n % 100
  if (mod10 === 1 && mod100 !== 11) return one
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return few
  return many
}

/** A case title without its leading emoji: «🚀 Карьерный диалог» → «Карьерный диалог» (menus, file names, charts). */
export const plainTitle = (title: string) => title.replace(/^[^\p{L}\p{N}]+/u, "")

export const minutes = (n: number) => `${n} ${plural(n, "минуту", "минуты", "минут")}`

/** The few sentences both the app shell and every case show: the way home, a stale button, a refused input. */

const formatSeconds = (sec: number) =>
  sec >= 60 && sec % 60 === 0
    ? `${sec / 60} мин`
    : sec >= 60
      ? `${Math.floor(sec / 60)} мин ${sec % 60} с`
      : `${sec} с`

export const sharedTexts = {
  menuButton: "🏠 Главное меню",
  staleButton: "⚠️ Эта кнопка устарела. Открой свежее меню: /start",
  rejected: (reason: RejectReason, limit: number) =>
    ({
      too_short: "📝 Сообщение пустое — напиши хотя бы пару слов.",
      too_long: `📝 Слишком длинно: максимум ${limit} символов. Сократи, пожалуйста.`,
      too_many_lines: `📝 Слишком много строк: максимум ${limit}. Сформулируй чуть компактнее.`,
      voice_too_short: "🎤 Голосовое слишком короткое — скажи хотя бы пару слов.",
      voice_too_long: `🎤 Голосовое длинновато: максимум ${formatSeconds(limit)}. Попробуй короче — как в живом разговоре.`,
      voice_too_big: `🎤 Файл слишком большой (больше ${limit} МБ). Запиши покороче.`,
    })[reason],
}
