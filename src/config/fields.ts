import { DEFAULT_NUDGE_SCHEDULE } from "../nudges/texts"
import { field } from "./field"

/**
 * Every environment variable the bot reads, in the order of the configuration table. Names and defaults follow the original bot
 * (the unused BACKEND_* ones are dropped); the configuration table (docs/configuration.md) is generated from this list.
 */
export const fields = {
  BOT_TOKEN: field.requiredSecret("Токен бота от @BotFather"),
  TELEGRAM_API_ROOT: field.url(
    "Адрес Bot API (или своего telegram-bot-api сервера)",
    "https://api.telegram.org",
  ),
  DATABASE_URL: field.secret(
    "PostgreSQL (`postgres://…`, `postgresql+asyncpg://…`). Пусто — встроенная PGlite",
  ),
  DATABASE_SSL_MODE: field.oneOf(
    ["disable", "allow", "prefer", "require", "verify-full"],
    "prefer",
    "SSL к PostgreSQL (для localhost всегда без SSL)",
  ),
  DATABASE_CONNECT_TIMEOUT_SEC: field.num(
    1,
    3600,
    60,
    "Сколько ждать PostgreSQL при старте, с (повторы с нарастающей паузой), потом выход с кодом 1",
  ),
  DATABASE_MAX_CONNECTIONS: field.int(
    6,
    1000,
    15,
    "Сколько соединений с PostgreSQL открывает один экземпляр (от 6; ровно столько, все при старте). Не больше предела сервера ÷ (число экземпляров × 2 на время выкладки)",
  ),
  DATA_DIR: field.text("Папка данных (PGlite и файлы)", "./data"),
  AUTH_PASSWORD_USER: field.secret("Пароль роли user, не короче 8 символов (или argon2/bcrypt-хеш)"),
  AUTH_PASSWORD_ADMIN: field.secret("Пароль роли admin, не короче 8 символов (или argon2/bcrypt-хеш)"),
  OPENAI_API_KEY: field.secret("Ключ OpenAI"),
  OPENAI_BASE_URL: field.url("Адрес OpenAI API (прокси, тесты)"),
  GEMINI_API_KEY: field.secret("Ключ Google Gemini"),
  GEMINI_BASE_URL: field.url("Адрес Gemini API (прокси, тесты)"),
  WEBHOOK_ENABLED: field.bool(false, "Режим webhook вместо long polling"),
  WEBHOOK_HOST: field.url("Публичный адрес бота, например https://bot.example.ru"),
  WEBHOOK_PATH: field.text("Путь webhook", "/webhook"),
  WEBHOOK_PORT: field.port(
    8080,
    "Порт HTTP-сервера webhook (только webhook: служебные эндпоинты — на METRICS_PORT)",
  ),
  WEBHOOK_SECRET: field.secret(
    "Секрет заголовка X-Telegram-Bot-Api-Secret-Token (обязателен для webhook): 16–256 символов A-Z a-z 0-9 _ -",
  ),
  METRICS_PORT: field.port(8000, "Порт /metrics, /health, /ready (не открывай его наружу)"),
  LOG_LEVEL: field.oneOf(["debug", "info", "warn", "error", "silent"], "info", "Уровень логов"),
  SENTRY_DSN: field.secret("DSN Sentry (пусто — выключено)"),
  SENTRY_ENV: field.text("Окружение для Sentry", "dev"),
  APSCHEDULER_TIMEZONE: field.text(
    "Часовой пояс всех дат и времени, которые видят пользователи и админы, планировщика и рассылок",
    "Europe/Moscow",
  ),
  JOB_LEASE_SECONDS: field.int(
    2,
    3600,
    60,
    "Аренда задания планировщика, с: через столько другой экземпляр подхватит задание упавшего",
  ),
  SHUTDOWN_TIMEOUT_SEC: field.num(1, 600, 30, "Сколько ждать текущие обновления при остановке, с"),
  TEXT_MIN_LENGTH: field.int(1, 4096, 1, "Минимальная длина сообщения"),
  TEXT_MAX_LENGTH: field.int(1, 100_000, 12000, "Максимальная длина сообщения"),
  TEXT_MAX_LINES: field.int(1, 10_000, 50, "Максимум строк в сообщении"),
  VOICE_MAX_SIZE_MB: field.num(
    0.1,
    2000,
    25,
    "Максимальный размер голосового, МБ; больше 20 не действует: через Bot API бот скачивает файлы до 20 МБ",
  ),
  VOICE_MIN_DURATION_SEC: field.num(0, 3600, 0.5, "Минимальная длительность голосового, с"),
  VOICE_MAX_DURATION_SEC: field.num(1, 36_000, 300, "Максимальная длительность голосового, с"),
  MAX_REQUESTS_PER_MINUTE: field.int(1, 100_000, 20, "Лимит сообщений пользователя в минуту"),
  MAX_REQUESTS_PER_HOUR: field.int(
    1,
    1_000_000,
    100,
    "Лимит сообщений пользователя в час (к админам не применяется)",
  ),
  GUEST_MAX_REQUESTS_PER_MINUTE: field.int(
    1,
    100_000,
    15,
    "Лимит сообщений в минуту от того, кто ещё не вошёл (не выше MAX_REQUESTS_PER_MINUTE)",
  ),
  GUEST_MAX_REQUESTS_PER_HOUR: field.int(
    1,
    1_000_000,
    30,
    "Лимит сообщений в час от того, кто ещё не вошёл (не выше MAX_REQUESTS_PER_HOUR)",
  ),
  AI_REQUEST_TIMEOUT_SEC: field.num(1, 600, 30, "Таймаут запроса к ИИ, с"),
  AI_REQUEST_MAX_RETRIES: field.int(0, 10, 3, "Повторы запроса к ИИ"),
  AI_REQUEST_RETRY_BACKOFF_SEC: field.num(0, 60, 1.5, "Пауза между повторами, с"),
  AI_DIALOGUE_CHAIN: field.chain(
    "openai:gpt-5-mini,gemini:gemini-2.5-flash",
    "Модели для реплик собеседника по порядку (запасные — через запятую)",
  ),
  AI_JUDGE_CHAIN: field.chain(
    "openai:gpt-5-mini,gemini:gemini-2.5-flash",
    "Модели пошагового судьи: какие шаги есть в реплике (идёт параллельно с репликой собеседника)",
  ),
  AI_REVIEWER_CHAIN: field.chain(
    "gemini:gemini-2.5-flash,openai:gpt-5",
    "Модели для разбора диалога по порядку",
  ),
  REVIEW_SAMPLES: field.int(
    1,
    7,
    3,
    "Сколько раз разбор оценивает шаги (параллельно); решает большинство, без большинства — «спорно»",
  ),
  AI_TRANSCRIPTION_CHAIN: field.chain(
    "openai:gpt-4o-transcribe,openai:whisper-1,gemini:gemini-2.5-flash",
    "Модели распознавания речи по порядку",
  ),
  AI_CASE_CHAINS: field.caseChains(
    "Свои цепочки для кейса и канала (dialogue, judge, reviewer, transcription): fb_peer.reviewer=openai:gpt-5;…",
  ),
  AI_MAX_CONCURRENCY: field.int(1, 1000, 16, "Сколько запросов к ИИ одновременно (остальные ждут в очереди)"),
  AI_DAILY_TURNS_PER_USER: field.int(
    1,
    100_000,
    200,
    "Обращений к ИИ в сутки на пользователя: каждая попытка по цепочке моделей с любым итогом (реплики, судья, разборы, распознавание, озвучка)",
  ),
  VOICE_REPLIES: field.bool(false, "Собеседник дублирует реплику голосом (OpenAI TTS)"),
  TRANSCRIBE_TIMEOUT_SEC: field.num(1, 600, 25, "Таймаут распознавания речи, с"),
  TRANSCRIBE_MAX_RETRIES: field.int(0, 10, 2, "Повторы распознавания"),
  TRANSCRIBE_RETRY_BACKOFF_SEC: field.num(0, 60, 1, "Пауза между повторами распознавания, с"),
  NUDGE_SCHEDULE: field.text(
    "Когда отправлять еженедельное напоминание о тренировке тем, кто его включил (cron с секундами, в APSCHEDULER_TIMEZONE)",
    DEFAULT_NUDGE_SCHEDULE,
  ),
  SUPPORT_CONTACT: field.text(
    "Куда писать пользователям, если что-то не так (@username, e-mail или ссылка): в /help, FAQ и сообщениях об ошибках",
  ),
  DIALOGUE_RETENTION_DAYS: field.optionalInt(
    1,
    3650,
    "Сколько дней хранить тексты диалогов и расшифровки (пусто — всегда)",
  ),
  SHEETS_EXPORT_ENABLED: field.bool(false, "Выгрузка статистики в Google Sheets"),
  EXPORT_INTERVAL_SECONDS: field.int(30, 604_800, 900, "Интервал выгрузки, с"),
  GSPREAD_SERVICE_ACCOUNT_FILE: field.text("Путь к JSON сервисного аккаунта Google"),
  GSPREAD_SERVICE_ACCOUNT_JSON: field.secret("JSON сервисного аккаунта"),
  GSPREAD_SERVICE_ACCOUNT_JSON_B64: field.secret("JSON сервисного аккаунта в base64"),
  GSHEETS_SPREADSHEET_ID: field.text("ID таблицы"),
  GSHEETS_SPREADSHEET_NAME: field.text("Имя таблицы (если нет ID)"),
  GSHEETS_SHARE_WITH: field.text("Кому открыть созданную таблицу (e-mail через запятую)"),
  GSHEETS_ALLOW_CREATE: field.bool(true, "Создать таблицу, если её нет"),
} as const

export type FieldName = keyof typeof fields
