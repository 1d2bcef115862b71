/** Deterministic generator of hostile and malformed webhook bodies for the fuzz test (R5). */

const mulberry32 = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

export interface FuzzOptions {
  readonly seed: number
  /** Users with a role: forged updates impersonate them too. */
  readonly knownUsers: ReadonlyArray<number>
  /** A chat whose messages others try to press buttons on. */
  readonly victimChat: number
}

const FORGED_CALLBACKS = [
  "admin:stats",
  "admin:users",
  "bc:list",
  "bc:send",
  "bc:now",
  "bc:drop",
  "bc:to:all",
  "bc:stop:1",
  "bc:stop:99999999999999999999",
  "forget:yes",
  "case:fb_employee:review",
  "case:fb_employee:start",
  "case:nope:start",
  "menu:career_dialog",
  "rate:1:10",
  "rate:9:99",
  "rate:open",
  "nav:results",
  "nav:../../etc/passwd",
  "",
  ":",
  "a:b:c:d:e",
  "\u0000",
  "💣".repeat(30),
]

const WEIRD_TEXTS = [
  "",
  " ",
  "\u0000\u0001\u0002",
  "/",
  "/start@other_bot",
  "/setrole 1 admin",
  "/broadcast",
  "/broadcasts",
  "/stats",
  "/export",
  "/forget_me",
  "<b>unclosed",
  "&amp;&lt;script&gt;",
  "<script>alert(1)</script>",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal on purpose (a template-injection attempt)
  "${process.env.BOT_TOKEN}",
  "🙂".repeat(5000),
  "а".repeat(20_000),
  "\n".repeat(500),
  "x".repeat(100_000),
]

/** `count` JSON bodies: valid-looking updates with hostile content, wrong field types, unknown kinds, junk. */
export const fuzzedUpdates = (count: number, o: FuzzOptions): string[] => {
  const rnd = mulberry32(o.seed)
  const pick = <A>(xs: ReadonlyArray<A>): A => xs[Math.floor(rnd() * xs.length)]!
  const int = (max: number) => Math.floor(rnd() * max)
  let updateId = 9_000_000
  const sender = () => {
    const id = rnd() < 0.4 ? pick(o.knownUsers) : 5_000_000 + int(1000)
    return { id, is_bot: rnd() < 0.05, first_name: pick(["A", "Б", "", "💣", "x".repeat(300)]) }
  }
  const message = (extra: object) => {
    const from = sender()
    const chatType = rnd() < 0.9 ? "private" : pick(["group", "supergroup", "channel"])
    return {
      message_id: int(100_000),
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatType === "private" ? from.id : -1_000_000 - int(1000), type: chatType },
      from,
      ...extra,
    }
  }
  const shapes: ReadonlyArray<() => unknown> = [
    () => ({ update_id: ++updateId, message: message({ text: pick(WEIRD_TEXTS) }) }),
    () => ({
      update_id: ++updateId,
      message: message({ text: "жирный", entities: [{ type: "bold", offset: -5, length: 9999 }] }),
    }),
    () => {
      // A button under one of the bot's own messages in the presser's chat: the shape Telegram really sends.
      const from = sender()
      const own = { message_id: int(50), date: 0, chat: { id: from.id, type: "private" } }
      return {
        update_id: ++updateId,
        callback_query: {
          id: String(int(1e9)),
          from,
          chat_instance: "1",
          data: pick(FORGED_CALLBACKS),
          ...(rnd() < 0.8 ? { message: own } : {}),
        },
      }
    },
    () => ({
      update_id: ++updateId,
      callback_query: {
        id: String(int(1e9)),
        from: sender(),
        chat_instance: "1",
        data: pick(FORGED_CALLBACKS),
        // Somebody else's message: the victim's chat.
        message: { message_id: int(50), date: 0, chat: { id: o.victimChat, type: "private" } },
      },
    }),
    () => ({ update_id: ++updateId, message: message({ voice: { file_id: 1, duration: "long" } }) }),
    () => ({
      update_id: ++updateId,
      message: message({ voice: { file_id: "v", file_unique_id: "u", duration: -1 } }),
    }),
    () => ({ update_id: ++updateId, message: message({ text: 12345 }) }),
    () => ({ update_id: ++updateId, message: message({ text: null }) }),
    () => ({ update_id: ++updateId, message: message({ text: ["a"] }) }),
    () => ({ update_id: ++updateId, message: { ...message({ text: "hi" }), from: undefined } }),
    () => ({
      update_id: ++updateId,
      message: { ...message({ text: "hi" }), chat: { id: "nope", type: "private" } },
    }),
    () => ({ update_id: ++updateId, message: { ...message({ text: "hi" }), from: { id: "x" } } }),
    () => ({ update_id: ++updateId, message: { ...message({ text: "hi" }), chat: null } }),
    () => ({ update_id: ++updateId, message: message({ photo: [{ file_id: "p" }], caption: "<b>" }) }),
    () => ({ update_id: ++updateId, message: message({ sticker: { file_id: "s" } }) }),
    () => ({ update_id: ++updateId, edited_message: message({ text: "edited" }) }),
    () => ({
      update_id: ++updateId,
      my_chat_member: { chat: { id: 1 }, new_chat_member: { status: "kicked" } },
    }),
    () => ({ update_id: ++updateId, poll: { id: "1" } }),
    () => ({ update_id: ++updateId, something_new: { from: sender() } }),
    () => ({ update_id: ++updateId }),
    () => ({ update_id: ++updateId, message: "not an object" }),
    () => ({ update_id: ++updateId, callback_query: { id: 1, from: sender(), data: 42 } }),
    () => ({ update_id: -1, message: message({ text: "neg" }) }),
    () => ({ update_id: "12", message: message({ text: "string id" }) }),
    () => ({ update_id: 1.5 }),
    () => [1, 2, 3],
    () => "just a string",
    () => null,
  ]
  return Array.from({ length: count }, () => {
    // Half the traffic is well-formed (hostile content in valid shapes), half is broken in some way.
    const body = rnd() < 0.5 ? pick(shapes.slice(0, 3))() : pick(shapes)()
    // A few bodies are not JSON at all.
    return rnd() < 0.01 ? "{not json" : JSON.stringify(body)
  })
}
