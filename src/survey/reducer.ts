import { button, callbackData } from "../core/callback-data"
import { Cmd, inline, type Keyboard } from "../core/commands"
import type { Envelope } from "../core/model"
import { idle, type Session } from "../core/session"
import type { Step } from "../core/step"
import { backToMenu, mainMenu } from "../nav/keyboards"
import { texts } from "../nav/texts"
import { surveyTexts } from "./texts"

/** The original bot's question keys (stored in bot_ratings.question), in order. */
export const SURVEY_QUESTIONS = [
  "overall_impression",
  "recommend_to_colleagues",
  "will_help_at_work",
] as const
export type SurveyQuestion = (typeof SURVEY_QUESTIONS)[number]

/** The 1–10 scale of question `q` on survey run `run`; the learner's current answer, if any, is marked. */
const scale = (run: number, q: number, current?: number): Keyboard => {
  const label = (v: number) => (v === current ? surveyTexts.current(v) : String(v))
  const row = (from: number) =>
    Array.from({ length: 5 }, (_, i) => button(label(from + i), callbackData.surveyAnswer(run, q, from + i)))
  return inline(row(1), row(6), [button(texts.buttons.menu, callbackData.nav("menu"))])
}

const question = (q: number) =>
  `${surveyTexts.progress(q + 1, SURVEY_QUESTIONS.length)}\n\n${surveyTexts.questions[q]}`

/** «Общее впечатление — 8, …» for the answers saved before, in the questions' order. */
const previousAnswers = (answers: Readonly<Record<string, number>>) => {
  const lines = SURVEY_QUESTIONS.flatMap((key, i) =>
    answers[key] === undefined ? [] : [`${surveyTexts.labels[i]} — ${answers[key]}`],
  )
  return lines.length > 0 ? [surveyTexts.previous(lines)] : []
}

export const surveyInviteMessage = () => ({
  html: surveyTexts.invite,
  keyboard: inline([button(texts.buttons.rate, callbackData.surveyOpen)]),
})

/** An old invite pressed mid-dialogue must not take the session over; the survey waits for the dialogue's end. */
const inDialogue = (s: Session) => s.flow._tag === "Case" && s.flow.attempt.phase !== "Reviewed"

/**
 * The survey: three questions on 1–10, then an optional comment. Pure. Open to anyone who finished a case;
 * re-answerable at any time (answers are upserted per question). Opening it shows the answers given before; every
 * choice is confirmed; buttons of an earlier opening are stale and save nothing.
 */
export const surveyReducer = (s: Session, ev: Envelope): Step | null => {
  const { input } = ev
  if (input._tag === "Text" && s.flow._tag === "SurveyComment")
    return [
      { ...s, flow: idle },
      [
        { _tag: "SaveComment", text: input.text },
        Cmd.reply(surveyTexts.thanksComment, mainMenu(ev.actor.role === "admin")),
      ],
    ]
  if (input._tag === "Feedback" && input.event._tag === "SurveyAnswersLoaded") {
    const { messageId, answers } = input.event
    if (inDialogue(s)) return [s, []]
    const run = s.surveyRun + 1
    const html = [surveyTexts.intro, ...previousAnswers(answers), question(0)].join("\n\n")
    return [
      { ...s, surveyRun: run },
      [Cmd.show(messageId, html, scale(run, 0, answers[SURVEY_QUESTIONS[0]]))],
    ]
  }
  if (input._tag !== "Callback") return null
  const data = input.data
  if (data._tag !== "SurveyOpen" && data._tag !== "SurveySkip" && data._tag !== "SurveyAnswer") return null
  const { queryId, messageId } = input
  if (data._tag === "SurveyAnswer" && data.question >= SURVEY_QUESTIONS.length)
    return [s, [Cmd.answer(queryId, texts.staleButton, true)]]
  if (inDialogue(s)) return [s, [Cmd.answer(queryId, surveyTexts.busy, true)]]
  if (s.reviews === 0 && data._tag === "SurveyAnswer")
    return [s, [Cmd.answer(queryId, surveyTexts.lockedAlert, true)]]
  if (data._tag === "SurveyOpen")
    return s.reviews === 0
      ? [s, [Cmd.answer(queryId), Cmd.show(messageId, surveyTexts.locked, backToMenu())]]
      : [s, [Cmd.answer(queryId), { _tag: "LoadSurveyAnswers", messageId }]]
  if (data._tag === "SurveySkip")
    return [
      { ...s, flow: idle },
      [Cmd.answer(queryId), Cmd.show(messageId, surveyTexts.thanks, mainMenu(ev.actor.role === "admin"))],
    ]
  if (data.run !== s.surveyRun) return [s, [Cmd.answer(queryId, surveyTexts.staleRun, true)]]
  const save: Cmd = {
    _tag: "SaveRating",
    question: SURVEY_QUESTIONS[data.question] ?? "",
    rating: data.value,
  }
  const confirmed = Cmd.answer(queryId, surveyTexts.savedToast(data.value))
  const next = data.question + 1
  const saved = surveyTexts.saved(data.value)
  if (next < SURVEY_QUESTIONS.length)
    return [
      s,
      [confirmed, save, Cmd.show(messageId, `${saved}\n\n${question(next)}`, scale(s.surveyRun, next))],
    ]
  const skip = inline(
    [button(surveyTexts.skip, callbackData.surveySkip)],
    [button(texts.buttons.menu, callbackData.nav("menu"))],
  )
  // The round is over: its buttons (still on older messages) are stale from now on, like an earlier round's.
  return [
    { ...s, flow: { _tag: "SurveyComment" }, surveyRun: s.surveyRun + 1 },
    [confirmed, save, Cmd.show(messageId, `${saved}\n\n${surveyTexts.askComment}`, skip)],
  ]
}
