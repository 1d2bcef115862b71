import { escapeHtml as e } from "../core/html"

/** What the file export says to the admin (Russian). */
export const exportTexts = {
  started: (format: "csv" | "xlsx") =>
    format === "xlsx" ? "📊 Собираю файл Excel со всеми листами…" : "📄 Собираю CSV — по файлу на лист…",
  xlsxCaption: (when: string, zone: string) =>
    `📊 Статистика бота на ${e(when)} (${e(zone)}): все листы в одном файле — сводка, оценки, кейсы, комментарии, попытки и шаги.`,
  csvCaption: (title: string, when: string, zone: string) =>
    `📄 Лист «${e(title)}» на ${e(when)} (${e(zone)})`,
  failed:
    "😔 Файл собрать не получилось. Попробуй ещё раз через пару минут; если повторится — передай тому, кто обслуживает бота, что выгрузка в файл не проходит (подробности в логах).",
  usage:
    "Как выгрузить статистику:\n<code>/export xlsx</code> — файл Excel со всеми листами\n<code>/export csv</code> — CSV, по файлу на лист\n<code>/export</code> — в Google Таблицу (если она настроена)",
} as const
