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

const scale = (q: number): Keyboard => {
  const row = (from: number) =>
    Array.from({ length: 5 }, (_, i) => button(String(from + i), callbackData.surveyAnswer(q, from + i)))
  return inline(row(1), row(6), [button(texts.buttons.menu, callbackData.nav("menu"))])
}

const question = (q: number) =>
  `${surveyTexts.progress(q + 1, SURVEY_QUESTIONS.length)}\n\n${surveyTexts.questions[q]}`

export const surveyInviteMessage = () => ({
  html: surveyTexts.invite,
  keyboard: inline([button(texts.buttons.rate, callbackData.surveyOpen)]),
})

/**
 * The survey: three questions on 1–10, then an optional comment. Pure. Open to anyone who finished a case;
 * re-answerable at any time (answers are upserted per question).
 */
export const surveyReducer = (s: Session, ev: Envelope): Step | null => {
  const { input } = ev
  if (input._tag === "Text" && s.flow._tag === "SurveyComment")
    return [
      { ...s, flow: idle },
      [{ _tag: "SaveComment", text: input.text }, Cmd.reply(surveyTexts.thanksComment, mainMenu())],
    ]
  if (input._tag !== "Callback") return null
  const data = input.data
  if (data._tag !== "SurveyOpen" && data._tag !== "SurveySkip" && data._tag !== "SurveyAnswer") return null
  if (data._tag === "SurveyAnswer" && data.question >= SURVEY_QUESTIONS.length)
    return [s, [Cmd.answer(input.queryId, texts.staleButton, true)]]
  const show = (html: string, keyboard: Keyboard): Cmd =>
    input.messageId === null ? Cmd.reply(html, keyboard) : Cmd.edit(input.messageId, html, keyboard)
  const answer = Cmd.answer(input.queryId)
  // An old invite pressed mid-dialogue must not take the session over; the survey waits for the dialogue's end.
  const inDialogue = s.flow._tag === "Case" && s.flow.attempt.phase !== "Reviewed"
  if (inDialogue) return [s, [Cmd.answer(input.queryId, surveyTexts.busy, true)]]
  if (s.reviews === 0 && data._tag === "SurveyAnswer")
    return [s, [Cmd.answer(input.queryId, surveyTexts.lockedAlert, true)]]
  if (data._tag === "SurveyOpen") {
    if (s.reviews === 0) return [s, [answer, show(surveyTexts.locked, backToMenu())]]
    return [s, [answer, show(`${surveyTexts.intro}\n\n${question(0)}`, scale(0))]]
  }
  if (data._tag === "SurveySkip")
    return [{ ...s, flow: idle }, [answer, show(surveyTexts.thanks, mainMenu())]]
  const save: Cmd = {
    _tag: "SaveRating",
    question: SURVEY_QUESTIONS[data.question] ?? "",
    rating: data.value,
  }
  const next = data.question + 1
  if (next < SURVEY_QUESTIONS.length) return [s, [answer, save, show(question(next), scale(next))]]
  const skip = inline(
    [button(surveyTexts.skip, callbackData.surveySkip)],
    [button(texts.buttons.menu, callbackData.nav("menu"))],
  )
  return [{ ...s, flow: { _tag: "SurveyComment" } }, [answer, save, show(surveyTexts.askComment, skip)]]
}
