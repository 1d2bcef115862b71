import type { Review } from "../../../src/core/ai-reply"
import type { Attempt } from "../../../src/core/attempt"
import type { CallbackData, CaseAction } from "../../../src/core/callback-data"
import type { Envelope, Feedback, Input, Role } from "../../../src/core/model"
import type { Session } from "../../../src/core/session"
import type { Step } from "../../../src/core/step"
import { voiceInput } from "../../support/updates"

/** Builders for the events a role-play scenario is made of, and a fold to replay them. Test-only. */

export const T0 = 1_700_000_000_000
export const FIRST_NAME = "Olga"

export const ev = (
  input: Input,
  { role = "user", now = T0 }: { readonly role?: Role | null; readonly now?: number } = {},
): Envelope => ({
  input,
  actor: { userId: 42, chatId: 42, role, firstName: FIRST_NAME, username: null, since: null },
  now,
  authEnabled: true,
})

export type Reducer = (s: Session, e: Envelope) => Step | null

/** Folds events through the reducer; an event the reducer does not own is a broken scenario. */
export const fold = (reducer: Reducer, state: Session, events: ReadonlyArray<Envelope>): Session =>
  events.reduce((s, e) => {
    const step = reducer(s, e)
    if (step === null) throw new Error(`the reducer does not own ${e.input._tag}`)
    return step[0]
  }, state)

export const text = (line: string): Input => ({ _tag: "Text", text: line, messageId: 100 })
export const command = (name: string): Input => ({ _tag: "Command", name, args: "", messageId: 101 })
export const voice: Input = voiceInput
export const QUERY = "query-1"
export const callback = (data: CallbackData, messageId: number | null = 555): Input => ({
  _tag: "Callback",
  queryId: QUERY,
  data,
  messageId,
})
export const card = (caseId: string, messageId: number | null = 555): Input =>
  callback({ _tag: "CaseCard", caseId }, messageId)
export const press = (caseId: string, action: CaseAction): Input => callback({ _tag: "Case", caseId, action })

const feedback = (event: Feedback): Input => ({ _tag: "Feedback", event })
export const personaReplied = (requestId: number, reply: string, covered: ReadonlyArray<string> = []) =>
  feedback({ _tag: "PersonaReplied", requestId, reply, covered, model: "test-model" })
export const reviewReady = (requestId: number, review: Review, model = "test-model") =>
  feedback({ _tag: "ReviewReady", requestId, review, model })
export const aiFailed = (requestId: number, reason = "timeout") =>
  feedback({ _tag: "AiFailed", requestId, reason })

/** The attempt of a session in a case flow. */
export const attemptOf = (s: Session): Attempt => {
  if (s.flow._tag !== "Case") throw new Error(`not in a case: ${s.flow._tag}`)
  return s.flow.attempt
}

/**
 * One learner line answered by the persona, each under the request id the reducer hands out: the text at `now`,
 * the answer a second later.
 */
export const talk = (
  reducer: Reducer,
  state: Session,
  lines: ReadonlyArray<readonly [line: string, reply: string, covered: ReadonlyArray<string>]>,
  { role = "user", now = T0 }: { readonly role?: Role | null; readonly now?: number } = {},
): Session =>
  lines.reduce(
    (s, [line, reply, covered], i) =>
      fold(reducer, s, [
        ev(text(line), { role, now: now + 2_000 * i }),
        ev(personaReplied(s.nextRequestId, reply, covered), { role, now: now + 2_000 * i + 1_000 }),
      ]),
    state,
  )

export const review: Review = {
  overall: "Разговор получился: факты названы, договорённость есть.",
  components: [
    { key: "A", covered: true, evidence: "Во вторник ты не заполнил чек-лист", better: "" },
    { key: "B", covered: true, evidence: "Из-за этого машина стояла", better: "" },
    { key: "C", covered: false, evidence: "", better: "Меня это тревожит" },
    { key: "D", covered: false, evidence: "", better: "Что предлагаешь?" },
    { key: "E", covered: false, evidence: "", better: "Договорились: до пятницы" },
  ],
  strengths: ["Назвал факт"],
  growth: ["Скажи о своём отношении"],
}
