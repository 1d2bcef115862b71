import { dateInZone } from "../core/dates"
import type { Role } from "../core/model"
import { minutes, plural } from "../core/texts"

/** What sign-in says: the password, the lockout, a revoked access, who you are for the bot. */

const roleName: Record<Role, string> = { user: "пользователь", admin: "администратор" }

export const authTexts = {
  askPassword: "🔐 Бот открыт для сотрудников по паролю. Введи пароль доступа:",
  askNewPassword: "🔐 Введи пароль — роль сменится на ту, которой он соответствует:",
  passwordAsText: "🔐 Пароль нужно отправить обычным текстовым сообщением.",
  wrongPassword: (left: number) =>
    `❌ Пароль не подошёл. ${left > 0 ? `Осталось ${left} ${plural(left, "попытка", "попытки", "попыток")}.` : ""}`.trim(),
  lockedOut: (leftMin: number) =>
    `⛔ Слишком много неверных паролей. Вход заблокирован — попробуй снова через ${minutes(leftMin)}.`,
  accessRevoked:
    "🚫 Администратор закрыл тебе вход в бот, поэтому пароль я не проверяю. Если это ошибка — напиши администратору бота в твоей компании.",
  loggedIn: (role: Role) => `✅ Готово! Вход выполнен, твоя роль — <b>${roleName[role]}</b>.`,
  needLogin: "🔐 Сначала войди: отправь /start и введи пароль доступа.",
  needLoginErased:
    "🔐 Сначала войди: отправь /start и введи пароль доступа. Сообщение я удалил — до входа в нём мог оказаться пароль.",
  passwordErased:
    "🔐 Похоже, это пароль входа — я удалил сообщение, чтобы он не остался в чате. Вход уже выполнен, вводить его снова не нужно.",
  needLoginAlert: "🔐 Сначала войди: отправь /start",
  accessClosed:
    "🚫 Администратор закрыл тебе доступ к боту. Если это ошибка — напиши администратору бота в твоей компании.",
  accessClosedAlert: "🚫 Администратор закрыл тебе доступ к боту",
  accessClosedErased:
    "🚫 Администратор закрыл тебе доступ к боту. Сообщение я удалил — в нём мог оказаться пароль. Если это ошибка — напиши администратору бота в твоей компании.",
  authDisabled: "🔓 Вход по паролю выключен — всё уже доступно. Меню: /start",
  loggedOut: "👋 Выход выполнен. Чтобы вернуться, отправь /start и введи пароль.",
  notLoggedIn: "Вход ещё не выполнен. Чтобы войти, отправь /start.",
  whoami: (role: Role | null, userId: number, since: Date | null, timeZone: string) =>
    [
      "👤 <b>Кто ты для бота</b>",
      `Роль: <b>${role ? roleName[role] : "без роли (вход не выполнен)"}</b>`,
      `Telegram ID: <code>${userId}</code>`,
      ...(since ? [`С нами с ${dateInZone(since.getTime(), timeZone)}`] : []),
    ].join("\n"),
} as const
