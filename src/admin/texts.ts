import { escapeHtml as e } from "../core/html"

/** Admin-facing texts (Russian, concise). */
/** «3% (2 из 60)», or «—» when there was nothing to count. */
const share = (part: number, whole: number) =>
  whole > 0 ? `${Math.round((part / whole) * 100)}% (${part} из ${whole})` : "—"

export const adminTexts = {
  /** The admin part of the command menu: the command (without the slash) → what it does. */
  commands: {
    admin: "Меню администратора",
    stats: "Статистика",
    users: "Пользователи",
    setrole: "Выдать или снять роль",
    export: "Выгрузка статистики: xlsx, csv, Google",
    broadcast: "Новая рассылка",
    broadcasts: "Рассылки: ход и отмена",
    dbping: "Проверить базу данных",
  },
  /** The admin part of /help, one line per command. */
  help: [
    "/admin — меню администратора",
    "/stats — статистика с графиком",
    "/users [поиск] — пользователи и их активность",
    "/setrole &lt;id или @username&gt; user|admin|none — выдать или снять роль",
    "/export xlsx — статистика файлом Excel; /export csv — CSV по листам",
    "/export — выгрузить статистику в Google Таблицу (если она подключена)",
    "/broadcast — новая рассылка; /broadcasts — ход рассылок и отмена",
    "/dbping — проверить базу данных",
  ],
  menu: "🛠 <b>Администрирование</b>\nСтатистика, пользователи, выгрузка файлом и рассылки — кнопками ниже или командами /stats, /users, /setrole, /export, /broadcast, /broadcasts.",
  buttons: {
    adminMenu: "🛠 Меню администратора",
    backToUsers: "⬅️ К списку пользователей",
    prevUsers: "◀️ Назад",
    nextUsers: "Дальше ▶️",
    stats: "📊 Статистика",
    users: "👥 Пользователи",
    export: "📤 Выгрузка в таблицу",
    broadcasts: "📣 Рассылки",
    xlsx: "📊 Файл Excel",
    csv: "📄 CSV",
  },
  /** Plural, for the /stats head count. */
  roleNames: { user: "пользователи", admin: "администраторы" } as Record<string, string>,
  outcomes: { completed: "все шаги", out_of_moves: "реплики кончились", manual: "по кнопке" } as Record<
    string,
    string
  >,
  statsTitle: "📊 <b>Статистика бота</b>",
  users: (roles: string) => `<b>Пользователи</b>: ${roles}`,
  active: (d7: number, d30: number) => `Активны за 7 дней: <b>${d7}</b>, за 30 дней: <b>${d30}</b>`,
  caseLine: (
    title: string,
    started: number,
    done: string,
    rate: number,
    avg: number,
    steps: number,
    missed: string,
  ) =>
    `<b>${e(title)}</b>: начато ${started}, завершено ${done}; доля завершений ${Math.round(rate * 100)}%, в среднем ${avg.toFixed(1)} из ${steps}${missed ? `; чаще всего пропускают: ${e(missed)}` : ""}`,
  caseNotFinished: (title: string, started: number) =>
    `<b>${e(title)}</b>: начато ${started}, завершённых с разбором пока нет`,
  trustLine: (disputed: number, steps: number, unverified: number, proposed: number) =>
    `   доверие к разбору: спорных шагов ${share(disputed, steps)}, непроверенных цитат ${share(unverified, proposed)}`,
  survey: (lines: string) => `<b>Опрос</b> (от 1 до 10)\n${lines}`,
  surveyLine: (label: string, avg: number, answers: number) =>
    `${e(label)}: ${avg.toFixed(1)} (ответов: ${answers})`,
  surveyNone: (label: string) => `${e(label)}: ответов пока нет`,
  comments: (lines: string, zone: string) => `<b>Последние комментарии</b> (время — ${e(zone)})\n${lines}`,
  commentLine: (comment: string, name: string | null, username: string | null, id: number, when: string) =>
    `• «${e(comment)}» — ${name ? e(name) : "удалённый пользователь"}${username ? ` @${e(username)}` : ""} (<code>${id}</code>), ${when}`,
  ai: (lines: string) => `<b>ИИ</b>\n${lines}`,
  aiLine: (provider: string, calls: number, errors: number, input: number, output: number) =>
    `${e(provider)}: вызовов ${calls}, ошибок ${errors}, токенов ${input} → ${output}`,
  chartCaption: "Попытки по кейсам и итогам",
  noChart: "📊 График появится после первой тренировки с разбором.",
  chartTitle: "Попытки по кейсам",
  chartAxis: "Попыток с разбором",
  usersTitle: (total: number, from: number, to: number, zone: string) =>
    `👥 <b>Пользователи: ${total}</b>${total > to - from + 1 ? ` · показаны ${from}–${to}` : ""} (время — ${e(zone)})`,
  usersNoMatch: (query: string) => `🔎 По запросу «${e(query)}» никого не нашлось. Весь список — /users`,
  usersNarrow: "Показаны первые совпадения — уточни поиск: <code>/users имя</code>",
  usersEmpty: "👥 Пользователей с ролью пока нет.",
  usersHint: "Нажми на человека, чтобы открыть его карточку. Поиск: <code>/users имя</code>",
  /** `name` is empty for an id given a role before its first visit (Telegram has not told the bot a name yet). */
  userLine: (id: number, name: string, username: string | null, role: string, lastActive: string) =>
    `<code>${id}</code>${name ? ` ${e(name)}` : ""}${username ? ` @${e(username)}` : ""} — ${e(role)}, последняя активность: ${lastActive}`,
  userButton: (id: number, name: string, username: string | null) =>
    `👤 ${name || `ID ${id}`}${username ? ` @${username}` : ""}`,
  roleLabels: {
    user: "пользователь",
    admin: "администратор",
    none: "без роли",
    revoked: "доступ закрыт",
  } as Record<string, string>,
  cardTitle: (name: string | null, username: string | null, id: number) =>
    `👤 <b>${e(name ?? "Без имени")}</b>${username ? ` @${e(username)}` : ""} · <code>${id}</code>`,
  cardRole: (role: string, since: string | null) =>
    `Роль: <b>${e(role)}</b>${since ? ` · с нами с ${since}` : ""}`,
  cardActive: (when: string, zone: string) => `Последняя активность: ${when} (${e(zone)})`,
  cardCase: (title: string, attempts: number, best: number, latest: number, total: number, date: string) =>
    `<b>${e(title)}</b>: попыток ${attempts}, лучший результат ${best} из ${total}, последний ${latest} из ${total} (${date})`,
  cardSteps: (shares: string, weakest: string | null) =>
    `   ${e(shares)}${weakest ? ` — слабее всего: ${e(weakest)}` : ""}`,
  cardNoAttempts: "Тренировок с разбором пока нет.",
  cardSurvey: (answers: string) => `Опрос: ${e(answers)}`,
  cardNoSurvey: "Опрос: ответов нет.",
  cardSetRole: (id: number) =>
    `Сменить роль: <code>/setrole ${id} admin</code>, <code>user</code> или <code>none</code> (закрыть доступ).`,
  cardUnknown: (id: number) =>
    `🤷 О пользователе <code>${id}</code> ничего нет: он не писал боту или его данные удалены.`,
  roleNotice: {
    user: "🔑 Администратор изменил твою роль: теперь ты — <b>пользователь</b>. Меню — /start",
    admin:
      "🔑 Администратор изменил твою роль: теперь ты — <b>администратор</b>. Меню администратора — /admin",
    none: "🚫 Администратор закрыл тебе доступ к боту. Если это ошибка — напиши администратору бота в твоей компании.",
  } as Record<"user" | "admin" | "none", string>,
  setroleUsage:
    "Как пользоваться: <code>/setrole &lt;id или @username&gt; user|admin|none</code>\nНапример: <code>/setrole 123456 admin</code>",
  setroleBadTarget: (target: string) =>
    `🤷 «${e(target)}» — не Telegram ID и не @username: ID — только цифры, имя — с @ в начале.`,
  setroleNoRole: "🤷 Не хватает роли: после ID или @username напиши user, admin или none.",
  setroleBadRole: (role: string) => `🤷 Роли «${e(role)}» нет: бывает user, admin или none.`,
  setroleExtra: "🤷 После роли есть лишние слова — ничего не меняю, чтобы не ошибиться.",
  setroleOwn: (role: string) => `✅ Твоя роль теперь: ${e(role)}.`,
  setroleDone: (target: string, role: string) =>
    `✅ Роль <code>${e(target)}</code>: ${e(role)}. Отправляю человеку уведомление.`,
  setroleUnchanged: (target: string, role: string) =>
    `ℹ️ У <code>${e(target)}</code> уже роль «${e(role)}» — ничего не меняю, уведомление не отправлено.`,
  setroleRevoked: (target: string, userId: number) =>
    `✅ Доступ <code>${e(target)}</code> закрыт: роли больше нет, и войти по общему паролю нельзя — даже после /forget_me. Отправляю человеку уведомление. Вернуть доступ: <code>/setrole ${userId} user</code>`,
  setroleNotFound: (target: string) =>
    target.startsWith("@")
      ? `🤷 Пользователь ${e(target)} не найден: такого имени нет у тех, кого знает бот (или его сменили). Укажи числовой Telegram ID — он есть в /users.`
      : `🤷 Пользователь ${e(target)} не найден: этот человек ещё ни разу не писал боту.`,
  setroleAmbiguous: (target: string) =>
    `🤷 Имя ${e(target)} записано у нескольких пользователей — кто-то из них его сменил. Укажи числовой Telegram ID — он есть в /users.`,
  setroleLastAdmin:
    "⛔ Других администраторов, которые уже заходили в бота, нет: сняв с себя роль, ты оставишь его без админа. Сначала назначь ещё одного (<code>/setrole &lt;id&gt; admin</code>) и дождись, пока этот человек откроет бота.",
  exportStarted: "📤 Выгружаю статистику в Google Таблицу…",
  exportDone: (url: string) => `✅ Выгрузка готова: <a href="${e(url)}">открыть таблицу</a>`,
  exportFailed: (message: string) => `❌ Выгрузка в Google Таблицу не удалась: ${e(message)}`,
  exportInterrupted: "бот перезапускался, пока шла выгрузка. Запусти /export ещё раз.",
  exportTimedOut:
    "выгрузка шла слишком долго и была остановлена. Попробуй чуть позже; если повторится — передай тому, кто обслуживает бота: подробности в журнале. Файлом: /export xlsx.",
  /** Why, in words an HR admin can act on: what to ask whoever runs the bot; the technical detail is in its log. */
  exportFailure: {
    no_credentials:
      "у бота нет доступа к Google. Попроси того, кто обслуживает бота, подключить сервисный аккаунт Google — подробности он найдёт в журнале бота. А пока статистику можно взять файлом: /export xlsx.",
    not_found:
      "таблица не найдена, или у бота нет к ней доступа. Попроси того, кто обслуживает бота, проверить таблицу и её доступы — подробности в журнале бота. Файлом: /export xlsx.",
    api: "Google не принял данные. Попробуй чуть позже; если повторится — передай тому, кто обслуживает бота: подробности в журнале. Файлом: /export xlsx.",
    unknown:
      "что-то пошло не так. Попробуй чуть позже; если повторится — передай тому, кто обслуживает бота: подробности в журнале. Файлом: /export xlsx.",
  },
  forgetAsk:
    "🗑 Удалить все твои данные в боте: попытки, результаты, оценки, комментарии и роль? Это необратимо — после этого нужно будет войти заново.",
  notifyFailed: (userId: number) =>
    `⚠️ Уведомление для <code>${userId}</code> не дошло: человек заблокировал бота или ещё ни разу его не открывал. Роль уже изменена — сообщи об этом напрямую.`,
  forgetAnswered: (label: string) =>
    `🗑 Удалить все твои данные в боте: попытки, результаты, оценки, комментарии и роль?\n\nТвой выбор: ${label}`,
  forgetYes: "Да, удалить",
  forgetNo: "Нет, оставить",
  forgetDone: "🗑 Готово: твои данные удалены. Если захочешь вернуться — /start.",
  forgetKept: "Хорошо, ничего не удаляю.",
}
