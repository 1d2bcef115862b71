import { existsSync } from "node:fs"
import { Effect } from "effect"
import { InputFile } from "grammy"
import { guideKeyboard } from "../cases/kernel/keyboards"
import { kernelTexts } from "../cases/kernel/texts"
import { findCase } from "../cases/registry"
import type { Handlers } from "../pipeline/command-handler"
import { Db } from "../services/db"
import { renderKeyboard } from "../services/reply-markup"
import { Telegram } from "../services/telegram"
import { speakDetached } from "./ai-turn"
import { findFileId, incrementCaseStat, insertAttempt, saveFileId } from "./roleplay.repo"

const GUIDE_DIR = "static/guides"

const sendGuide = Effect.fnUntraced(function* (chatId: number, caseId: string) {
  const spec = findCase(caseId)!
  const tg = yield* Telegram
  const db = yield* Db
  const path = `${GUIDE_DIR}/${spec.guide}`
  if (!existsSync(path)) return yield* tg.send(chatId, kernelTexts.guideMissing)
  const bytes = new Uint8Array(yield* Effect.promise(() => Bun.file(path).arrayBuffer()))
  // The key changes with the file, so a rebuilt guide is uploaded once again instead of the old one re-sent.
  const key = `guide:${spec.guide}:${Bun.hash(bytes).toString(36)}:${kernelTexts.guideFileName(spec)}`
  // Under a readable name, with the case's buttons under it: the guide leads straight into practice.
  const markup = renderKeyboard(guideKeyboard(spec.id))
  const upload = tg
    .sendDocument(
      chatId,
      new InputFile(bytes, kernelTexts.guideFileName(spec)),
      spec.texts.guideCaption,
      markup,
    )
    .pipe(
      Effect.flatMap((fileId) =>
        fileId ? db.use("saveFileId", (k) => saveFileId(k, key, fileId)) : Effect.void,
      ),
    )
  const known = yield* db.use("findFileId", (k) => findFileId(k, key))
  if (!known) return yield* upload
  // file_ids belong to one bot: one refused (another BOT_TOKEN on this database) is replaced by a fresh upload.
  yield* tg.sendDocument(chatId, known, spec.texts.guideCaption, markup).pipe(
    Effect.asVoid,
    Effect.catchIf(
      (e) => e.code === 400,
      () => upload,
    ),
  )
})

/** The role-play commands run in place (the AI calls run as stored work: see work.ts). */
export const roleplayHandlers: Handlers<"RecordStat" | "SaveAttempt" | "SendGuide" | "Speak"> = {
  RecordStat: (cmd, { origin }) =>
    Effect.gen(function* () {
      yield* (yield* Db).use("caseStat", (k) => incrementCaseStat(k, origin.userId, cmd.caseId, cmd.stat))
      return null
    }),
  SaveAttempt: (cmd, { chatId, origin }) =>
    Effect.gen(function* () {
      const attempt = {
        userId: origin.userId,
        chatId,
        attempt: cmd.attempt,
        review: cmd.review,
        endedAt: new Date(cmd.endedAt),
        reviewModel: cmd.reviewModel,
        verdict: cmd.verdict ?? null,
      }
      yield* (yield* Db).use("saveAttempt", (k) => insertAttempt(k, attempt))
      return null
    }),
  SendGuide: (cmd, { chatId }) => Effect.as(sendGuide(chatId, cmd.caseId), null),
  Speak: (cmd, { chatId, origin }) => Effect.as(speakDetached(chatId, origin.userId, cmd), null),
}
