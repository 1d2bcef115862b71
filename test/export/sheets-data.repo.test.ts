import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { buildSheetsData, SHEET_TITLES, utcStamp } from "../../src/export/sheets-data.repo"
import { useRepositoryDatabase } from "../repositories/database"
import { backends } from "../support/database"
import { NOW, seedExportData } from "./seed"

// The first PGlite boot of a run takes seconds; bun applies this to this file only.
setDefaultTimeout(30_000)

test("utcStamp → «YYYY-MM-DD HH:MM:SS UTC»", () => {
  expect(utcStamp(new Date("2025-01-02T03:04:05.678+03:00"))).toBe("2025-01-02 00:04:05 UTC")
})

describe.each(backends)("buildSheetsData (%s)", (backend) => {
  const db = useRepositoryDatabase(backend)

  test("seven sheets in tab order, each with its header row first", async () => {
    await seedExportData(db())
    const data = await buildSheetsData(db(), NOW)
    expect(Object.keys(data)).toEqual([...SHEET_TITLES])
    expect(data.UsersByRole?.[0]).toEqual(["Роль", "Количество"])
    expect(data.RatingsByQuestion?.[0]).toEqual(["Вопрос", "Всего ответов", "Средняя оценка", "Мин", "Макс"])
    expect(data.CaseStatistics?.[0]).toEqual([
      "Кейс",
      "Тип статистики",
      "Уникальных пользователей",
      "Всего случаев",
    ])
    expect(data.TableStats?.[0]).toEqual(["Таблица", "Есть", "Количество записей"])
    expect(data.Комментарии?.[0]).toEqual(["Пользователь", "Комментарий", "Дата/время"])
    expect(data.Attempts?.[0]).toEqual([
      "ID",
      "Пользователь",
      "Кейс",
      "Попытка №",
      "Начало",
      "Конец",
      "Итог",
      "Ходов",
      "Баллы",
      "Модели",
    ])
  })

  test("Summary: timestamp, DB size, roles and a working activity block", async () => {
    await seedExportData(db())
    const [stamp, size, ...rest] = (await buildSheetsData(db(), NOW)).Summary!
    expect(stamp).toEqual(["Сгенерировано (UTC)", "2025-06-15T12:00:00.000Z"])
    expect(size?.[0]).toBe("Размер БД")
    expect(String(size?.[1])).toMatch(/^\d+ (bytes|kB|MB|GB)$/)
    expect(rest).toEqual([
      [],
      ["Пользователи по ролям:"],
      ["Роль", "Количество"],
      ["admin", 1],
      ["user", 3],
      [],
      ["Активность пользователей:"],
      ["Активны за 7 дней", 2],
      ["Активны за 30 дней", 4],
      ["С оценками бота", 3],
      ["С активностью в кейсах", 4],
    ])
  })

  test("UsersByRole, RatingsByQuestion (average to 2 places) and CaseStatistics by case, stat", async () => {
    await seedExportData(db())
    const data = await buildSheetsData(db(), NOW)
    expect(data.UsersByRole?.slice(1)).toEqual([
      ["admin", 1],
      ["user", 3],
    ])
    expect(data.RatingsByQuestion?.slice(1)).toEqual([
      ["q1_useful", 3, 8, 7, 9],
      ["q2_clear", 2, 5.5, 5, 6],
      ["q3_recommend", 3, 7.67, 7, 8],
    ])
    expect(data.CaseStatistics?.slice(1)).toEqual([
      ["career-dialog", "started", 1, 1],
      ["fb-employee", "out_of_moves", 1, 1],
      ["fb-peer", "completed", 1, 2],
      ["fb-peer", "started", 2, 4],
    ])
  })

  test("TableStats counts our business tables; comments newest first; one Attempts row per attempt", async () => {
    const { attemptIds } = await seedExportData(db())
    const data = await buildSheetsData(db(), NOW)
    expect(data.TableStats?.slice(1)).toEqual([
      ["authorized_users", "Да", 4],
      ["bot_ratings", "Да", 8],
      ["rating_comments", "Да", 3],
      ["rating_invites", "Да", 1],
      ["case_stats", "Да", 5],
      ["case_attempts", "Да", 2],
      ["ai_calls", "Да", 0],
    ])
    expect(data.Комментарии?.slice(1)).toEqual([
      [2, "Отлично, но медленно", "2025-06-15 11:00:05 UTC"],
      [1, "Хорошо", "2025-06-13 12:00:00 UTC"],
      [1, "Ещё", "2025-06-10 08:30:00 UTC"],
    ])
    const [first, second] = attemptIds
    const when = ["2025-06-14 09:00:00 UTC", "2025-06-14 09:20:30 UTC"]
    expect(data.Attempts?.slice(1)).toEqual([
      [first!, 1, "fb-peer", 1, ...when, "completed", 5, 4, "gpt-5-mini / gemini-2.5-pro"],
      [second!, 9, "career-dialog", 1, ...when, "out_of_moves", 5, 4, "— / —"],
    ])
  })

  test("an empty database → headers only, zeros in the activity block", async () => {
    await seedExportData(db())
    for (const t of [
      "authorized_users",
      "bot_ratings",
      "rating_comments",
      "case_stats",
      "case_attempts",
    ] as const) {
      await db().deleteFrom(t).execute()
    }
    await db().deleteFrom("update_inbox").execute()
    const data = await buildSheetsData(db(), NOW)
    expect(data.UsersByRole).toHaveLength(1)
    expect(data.RatingsByQuestion).toHaveLength(1)
    expect(data.Комментарии).toHaveLength(1)
    expect(data.Attempts).toHaveLength(1)
    expect(data.Summary?.slice(-4).map((r) => r[1])).toEqual([0, 0, 0, 0])
  })
})
