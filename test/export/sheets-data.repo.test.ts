import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { buildSheetsData, SHEET_TITLES, stamp } from "../../src/export/sheets-data.repo"
import { jsonb } from "../../src/repositories/jsonb"
import { useRepositoryDatabase } from "../repositories/database"
import { backends } from "../support/database"
import { NOW, seedExportData } from "./seed"

// The first PGlite boot of a run takes seconds; bun applies this to this file only.
setDefaultTimeout(30_000)

test("stamp → «DD.MM.YYYY HH:MM» in the configured zone", () => {
  expect(stamp(new Date("2025-01-02T03:04:05.678+03:00"), "Europe/Moscow")).toBe("02.01.2025 03:04")
  expect(stamp(new Date("2025-01-02T03:04:05.678+03:00"), "UTC")).toBe("02.01.2025 00:04")
})

describe.each(backends)("buildSheetsData (%s)", (backend) => {
  const db = useRepositoryDatabase(backend)

  test("eight sheets in tab order, each with its header row first; times named with the zone", async () => {
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
    expect(data.Комментарии?.[0]).toEqual(["Пользователь", "Имя", "Комментарий", "Дата/время (МСК)"])
    expect(data.Attempts?.[0]).toEqual([
      "ID",
      "Пользователь",
      "Имя",
      "Кейс",
      "Попытка №",
      "Начало (МСК)",
      "Конец (МСК)",
      "Итог",
      "Ходов",
      "Баллы",
      "Шагов в кейсе",
      "Собеседник",
      "Подсказок",
      "Модели",
    ])
    expect(data.Steps?.[0]).toEqual(["ID попытки", "Пользователь", "Кейс", "Шаг", "Прозвучал"])
  })

  test("Summary: timestamp, DB size, roles and a working activity block", async () => {
    await seedExportData(db())
    const [generated, size, ...rest] = (await buildSheetsData(db(), NOW)).Summary!
    expect(generated).toEqual(["Сгенерировано (МСК)", "15.06.2025 15:00"])
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
      ["Активны за 30 дней", 3],
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
      [2, "Борис", "Отлично, но медленно", "15.06.2025 14:00"],
      [1, "Анна", "Хорошо", "13.06.2025 15:00"],
      [1, "Анна", "Ещё", "10.06.2025 11:30"],
    ])
    const [first, second] = attemptIds
    const when = ["14.06.2025 12:00", "14.06.2025 12:20"]
    // The seed's case ids are not registered cases: the step count falls back to the covered list.
    expect(data.Attempts?.slice(1)).toEqual([
      [
        first!,
        1,
        "Анна",
        "fb-peer",
        1,
        ...when,
        "все шаги",
        5,
        4,
        2,
        "обычный",
        0,
        "gpt-5-mini / gemini-2.5-pro",
      ],
      [second!, 9, "", "career-dialog", 1, ...when, "реплики кончились", 5, 4, 2, "обычный", 0, "— / —"],
    ])
  })

  test("Steps: one row per attempt and step of its case — shown, not shown, or «спорно»; level and hints per attempt", async () => {
    await seedExportData(db())
    const [row] = await db()
      .insertInto("case_attempts")
      .values({
        user_id: 2,
        chat_id: 2,
        case_id: "fb_employee",
        attempt_no: 1,
        started_at: NOW,
        ended_at: NOW,
        outcome: "manual",
        turns: 3,
        score: 2,
        covered: jsonb(["Behavior", "Question"]),
        transcript: jsonb([]),
        review: null,
        dialogue_model: null,
        review_model: null,
        disputed: jsonb(["Agreement"]),
        level: "hard",
        hints: 2,
      })
      .returning("id")
      .execute()
    const data = await buildSheetsData(db(), NOW)
    const id = Number(row!.id)
    expect(data.Steps?.slice(1)).toEqual([
      [id, 2, "fb_employee", "Поведение", "да"],
      [id, 2, "fb_employee", "Результат", "нет"],
      [id, 2, "fb_employee", "Отношение", "нет"],
      [id, 2, "fb_employee", "Вопрос", "да"],
      [id, 2, "fb_employee", "Договорённости", "спорно"],
    ])
    expect(data.Attempts?.at(-1)?.slice(10, 13)).toEqual([5, "жёсткий", 2])
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
