import { escapeHtml as e } from "../core/html"

/** Broadcast texts for admins (Russian, concise). */
export const broadcastTexts = {
  askText:
    "📣 <b>Новая рассылка</b>\nПришли текст одним сообщением — получатели увидят его ровно так: с эмодзи, переносами строк и оформлением (жирный, курсив, ссылки). До 4000 символов.",
  busy: "Ты сейчас в тренировке. Заверши её или выйди из неё, а потом запусти /broadcast.",
  tooLong: (max: number) =>
    `📝 Длинновато для одного сообщения Telegram: максимум ${max} символов. Сократи и пришли ещё раз.`,
  textOnly:
    "📝 В рассылку уходит только текст: фото, файлы и голосовые разослать нельзя. Пришли текст обычным сообщением (ссылку на файл можно вставить в текст) — или нажми «Отмена».",
  counting: "Считаю получателей…",
  askAudience: "Кому отправить? В скобках — сколько человек получит сообщение сейчас.",
  audienceEmpty: "В этой группе пока никого нет — выбери другую.",
  audiences: {
    all: "Всем",
    users: "Пользователям",
    admins: "Администраторам",
    never_completed: "Кто ещё не прошёл ни одного кейса",
  } as Record<string, string>,
  audienceNames: {
    all: "все",
    users: "пользователи",
    admins: "администраторы",
    never_completed: "ещё не прошли ни одного кейса",
  } as Record<string, string>,
  askWhen: (zone: string, example: string) =>
    `Когда отправить? Нажми «Сейчас» или пришли время (часовой пояс ${e(zone)}), например: <code>${e(example)}</code>, <code>завтра 9:00</code> или <code>25.12 10:00</code>.`,
  timeInvalid:
    "Не понял время. Примеры: <code>18:30</code>, <code>завтра 9:00</code>, <code>25.12 10:00</code>, <code>25.12.2026 10:00</code>.",
  whenAsText:
    "Время пришли текстом, например <code>18:30</code> или <code>завтра 9:00</code>, — или нажми «Сейчас».",
  timePast: "Это время уже прошло — пришли время в будущем или нажми «Сейчас».",
  timeTooFar: "Слишком далеко: запланировать можно не больше чем на год вперёд.",
  previewTitle: "👇 Так сообщение увидят получатели:",
  summary: (audience: string, recipients: number, when: string) =>
    `📣 <b>Проверь рассылку</b>\nКому: ${e(audience)} (${recipients})\nКогда: ${e(when)}\n\nВсё верно?`,
  now: "сейчас",
  at: (time: string, zone: string) => `${time} (${zone})`,
  cancelled: "Рассылка отменена, ничего не отправлено.",
  draftLeft: "✖️ Черновик рассылки отменён, ничего не отправлено. Начать заново — /broadcast.",
  useButtons: "Выбери вариант кнопкой выше — или нажми «Отмена».",
  stale: "Эта кнопка уже неактуальна — начни заново: /broadcast",
  staleSend: "Эта кнопка — от прежнего предпросмотра. Отправить можно только кнопкой под последним.",
  buttons: {
    now: "🚀 Сейчас",
    send: "✅ Отправить",
    cancel: "✖️ Отмена",
    stop: (id: number) => `✖️ Отменить #${id}`,
    refresh: "🔄 Обновить",
  },
  status: {
    scheduled: (at: string) => `🕒 запланирована на ${at}`,
    sending: "📤 отправляется",
    done: "✅ завершена",
    cancelled: "✖️ отменена",
  },
  title: (id: number, audience: string) => `📣 <b>Рассылка #${id}</b> · ${e(audience)}`,
  counts: (sent: number, total: number) => `доставлено ${sent} из ${total}`,
  blocked: (n: number) => `заблокировали бота: ${n}`,
  failed: (n: number) => `не доставлено: ${n}`,
  pending: (n: number) => `в очереди: ${n}`,
  listTitle: "📣 <b>Рассылки</b>",
  listEmpty: "📣 Рассылок пока не было. Создать: /broadcast",
  stopped: (id: number) => `✖️ Рассылка #${id} остановлена. Кому уже ушло — у тех сообщение останется.`,
  notStopped: (id: number) => `Рассылку #${id} уже не остановить: она завершена или отменена.`,
}
