import type { CaseSpec, Component } from "../../../src/cases/kernel/spec"

/**
 * Test-only cases built from data alone: the kernel runs them exactly like the real ones, which is the proof that
 * adding a case is adding data. The texts carry characters that need escaping (`<`, `&`, `*`, `_`) on purpose.
 */

const component = (key: string, letter: string, label: string): Component => ({
  key,
  letter,
  label,
  definition: `Определение шага ${label}: что считается и что не считается.`,
})

/** Each level says which it is, so a test can see which one reached the prompt. */
export const testLevels = {
  soft: { concedes: "МЯГКО-уступает", pushback: ["мягкий довод"] },
  normal: { concedes: "ОБЫЧНО-уступает", pushback: ["обычный довод"] },
  hard: { concedes: "ЖЁСТКО-уступает", pushback: ["жёсткий довод"] },
}

const testStory = {
  opening: "Есть минута?",
  examples: ["а", "б", "в", "г", "д"],
  closing: "Спасибо",
  dialogue: [],
  facts: [],
}

export const testCase: CaseSpec = {
  id: "test_case",
  commands: { start: "testcase", stop: "testcase_stop" },
  persona: {
    name: "Тест <Персона> & Ко",
    dative: "Тесту <Персоне> & Ко",
    emoji: "🧪",
    who: "Сотрудник тестового участка, который спорит по любому поводу.",
    traits: ["ворчит", "отвечает вопросом на вопрос"],
    mustNot: ["выходить из роли"],
  },
  learnerRole: "начальник тестового участка",
  methodology: {
    name: "ТЕСТ",
    components: [
      component("A", "А", "Альфа"),
      component("B", "Б", "Бета"),
      component("C", "В", "Гамма <3>"),
      component("D", "Г", "Дельта & Ко"),
      component("E", "Д", "Эпсилон"),
    ],
  },
  maxTurns: 4,
  liveChecklist: true,
  texts: {
    title: "🧪 Тестовый <кейс> & проверка",
    description: "<b>🧪 Тестовый кейс</b>\nОписание ситуации.",
    algorithm: "<b>Алгоритм</b>\nА → Б → В → Г → Д. У тебя 4 реплики.",
    learnerLabel: "Руководитель",
    stopped: "✅ Тестовый разговор завершён.",
    guideCaption: "📚 Памятка по тестовому кейсу",
  },
  levels: testLevels,
  story: testStory,
  prompts: {
    persona: "# Роль\nТы — тестовая персона на тестовом участке.\n",
    reviewer: "# Разбор\nТы — тестовый рецензент.\n",
  },
  guide: "test_case.pdf",
}

/** A second case with other limits: several cases coexist in one reducer without touching each other. */
export const otherCase: CaseSpec = {
  id: "other_case",
  commands: { start: "othercase", stop: "othercase_stop" },
  persona: {
    name: "Другой",
    dative: "Другому",
    emoji: "👥",
    who: "Коллега из соседнего отдела.",
    traits: ["вежлив"],
    mustNot: ["выходить из роли"],
  },
  learnerRole: "коллега",
  methodology: {
    name: "ДРУГОЕ",
    components: [
      component("P", "1", "Первый"),
      component("Q", "2", "Второй"),
      component("R", "3", "Третий"),
      component("S", "4", "Четвёртый"),
      component("T", "5", "Пятый"),
    ],
  },
  maxTurns: 6,
  liveChecklist: false,
  texts: {
    title: "👥 Другой кейс",
    description: "<b>👥 Другой кейс</b>\nДругое описание.",
    algorithm: "<b>Другой алгоритм</b>\nУ тебя 6 реплик.",
    learnerLabel: "Коллега",
    stopped: "✅ Другой разговор завершён.",
    guideCaption: "📚 Памятка по другому кейсу",
  },
  levels: testLevels,
  story: testStory,
  prompts: { persona: "Ты — другой коллега.", reviewer: "Ты — другой рецензент." },
  guide: "other_case.pdf",
}

export const testCases: ReadonlyArray<CaseSpec> = [testCase, otherCase]
