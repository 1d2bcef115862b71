import { existsSync } from "node:fs"
import { Effect } from "effect"
import { InputFile } from "grammy"
import { kernelTexts } from "../cases/kernel/texts"
import { findCase } from "../cases/registry"
import type { Cmd } from "../core/commands"
import {
  claimSurveyInvite,
  findFileId,
  incrementCaseStat,
  insertAttempt,
  saveFileId,
} from "../repositories/cases.repo"
import { Db } from "../services/db"
import { renderKeyboard } from "../services/reply-markup"
import { Telegram } from "../services/telegram"
import { surveyInviteMessage } from "../survey/reducer"
import type { Origin } from "./decode"

type CaseCmd = Extract<
  Cmd,
  {
    _tag:
      | "ChatAction"
      | "AskPersona"
      | "AskReview"
      | "RecordStat"
      | "SaveAttempt"
      | "SendGuide"
      | "InviteToSurvey"
  }
>

const GUIDE_DIR = "static/guides"

const sendGuide = (chatId: number, caseId: string) =>
  Effect.gen(function* () {
    const spec = findCase(caseId)!
    const tg = yield* Telegram
    const db = yield* Db
    const path = `${GUIDE_DIR}/${spec.guide}`
    if (!existsSync(path)) return yield* tg.send(chatId, kernelTexts.guideMissing)
    const bytes = new Uint8Array(yield* Effect.promise(() => Bun.file(path).arrayBuffer()))
    // The key changes with the file, so a rebuilt guide is uploaded once again instead of the old one re-sent.
    const key = `guide:${spec.guide}:${Bun.hash(bytes).toString(36)}`
    const upload = tg
      .sendDocument(chatId, new InputFile(bytes, spec.guide), spec.texts.guideCaption)
      .pipe(
        Effect.flatMap((fileId) =>
          fileId ? db.use("saveFileId", (k) => saveFileId(k, key, fileId)) : Effect.void,
        ),
      )
    const known = yield* db.use("findFileId", (k) => findFileId(k, key))
    if (!known) return yield* upload
    // file_ids belong to one bot: one refused (another BOT_TOKEN on this database) is replaced by a fresh upload.
    yield* tg.sendDocument(chatId, known, spec.texts.guideCaption).pipe(
      Effect.asVoid,
      Effect.catchIf(
        (e) => e.code === 400,
        () => upload,
      ),
    )
  })

/** The role-play commands: AI calls go to the background; stats, attempts and guides run in place. */
export const interpretCase = (chatId: number, origin: Origin, cmd: CaseCmd) =>
  Effect.gen(function* () {
    const db = yield* Db
    switch (cmd._tag) {
      case "ChatAction":
        return yield* (yield* Telegram).chatAction(chatId, "typing").pipe(Effect.ignore)
      case "RecordStat":
        return yield* db.use("caseStat", (k) => incrementCaseStat(k, origin.userId, cmd.caseId, cmd.stat))
      case "SaveAttempt": {
        const endedAt = new Date(cmd.endedAt)
        const f = {
          userId: origin.userId,
          chatId,
          attempt: cmd.attempt,
          review: cmd.review,
          endedAt,
          reviewModel: cmd.reviewModel,
        }
        return yield* db.use("saveAttempt", (k) => insertAttempt(k, f))
      }
      case "SendGuide":
        return yield* sendGuide(chatId, cmd.caseId)
      case "InviteToSurvey": {
        if (!(yield* db.use("claimInvite", (k) => claimSurveyInvite(k, origin.userId)))) return
        const invite = surveyInviteMessage()
        return yield* (yield* Telegram)
          .send(chatId, invite.html, renderKeyboard(invite.keyboard))
          .pipe(Effect.asVoid)
      }
    }
  }).pipe(Effect.asVoid)
