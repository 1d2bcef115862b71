import { Effect } from "effect"
import type { Feedback } from "../core/model"
import type { Handlers } from "../pipeline/command-handler"
import { Db } from "../services/db"
import { renderKeyboard } from "../services/reply-markup"
import { Telegram } from "../services/telegram"
import { claimSurveyInvite } from "./invites.repo"
import { findRatings, insertComment, upsertRating } from "./ratings.repo"
import { surveyInviteMessage } from "./reducer"

export const surveyHandlers: Handlers<"SaveRating" | "SaveComment" | "InviteToSurvey" | "LoadSurveyAnswers"> =
  {
    LoadSurveyAnswers: (cmd, { origin }) =>
      Effect.gen(function* () {
        const answers = yield* (yield* Db).use("findRatings", (k) => findRatings(k, origin.userId))
        return { _tag: "SurveyAnswersLoaded", messageId: cmd.messageId, answers } as Feedback
      }),
    SaveRating: (cmd, { origin }) =>
      Effect.gen(function* () {
        yield* (yield* Db).use("saveRating", (k) => upsertRating(k, origin.userId, cmd.question, cmd.rating))
        return null
      }),
    SaveComment: (cmd, { origin }) =>
      Effect.gen(function* () {
        yield* (yield* Db).use("saveComment", (k) => insertComment(k, origin.userId, cmd.text))
        return null
      }),
    /** Once per user ever: the lock is taken in rating_invites before the invitation goes out. */
    InviteToSurvey: (_cmd, { chatId, origin }) =>
      Effect.gen(function* () {
        if (!(yield* (yield* Db).use("claimInvite", (k) => claimSurveyInvite(k, origin.userId)))) return null
        const invite = surveyInviteMessage()
        yield* (yield* Telegram).send(chatId, invite.html, renderKeyboard(invite.keyboard))
        return null
      }),
  }
