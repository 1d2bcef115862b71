import { existsSync } from "node:fs"
import { Effect } from "effect"
import { InputFile } from "grammy"
import type { Cmd } from "../app/commands"
import type { Feedback } from "../app/model"
import { surveyInviteMessage } from "../app/survey"
import { coveredKeys, personaTurnSchema, Review } from "../cases/kernel/ai-reply"
import { personaPrompt, reviewPrompt } from "../cases/kernel/prompts"
import { kernelTexts } from "../cases/kernel/texts"
import { findCase } from "../cases/registry"
import {
  claimSurveyInvite,
  findFileId,
  incrementCaseStat,
  insertAttempt,
  saveFileId,
} from "../repositories/cases.repo"
import { Db } from "../services/db"
import { Llm, type LlmError } from "../services/llm"
import { Telegram } from "../services/telegram"
import { Background } from "./background"
import type { Origin } from "./decode"
import { renderKeyboard } from "./render"

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

// Telegram shows "typing…" for about five seconds: keep it alive while the model thinks.
const keepTyping = (chatId: number) =>
  Effect.flatMap(Telegram, (tg) =>
    tg.chatAction(chatId, "typing").pipe(Effect.ignore, Effect.delay("4500 millis"), Effect.forever),
  )

const failed = (requestId: number) => (e: LlmError) =>
  Effect.succeed<Feedback>({ _tag: "AiFailed", requestId, reason: e.reason })

const personaWork = (cmd: Extract<Cmd, { _tag: "AskPersona" }>, llm: typeof Llm.Service) => {
  const spec = findCase(cmd.caseId)!
  const keys = spec.methodology.components.map((c) => c.key)
  const prompt = personaPrompt(spec, cmd.turns, cmd.text)
  return llm
    .complete({
      channel: "dialogue",
      caseId: spec.id,
      ...prompt,
      schema: personaTurnSchema(keys),
      schemaName: "persona_turn",
    })
    .pipe(
      Effect.map(
        (a): Feedback => ({
          _tag: "PersonaReplied",
          requestId: cmd.requestId,
          reply: a.value.reply,
          covered: coveredKeys(a.value, keys),
          model: `${a.provider}:${a.model}`,
        }),
      ),
      Effect.catch(failed(cmd.requestId)),
    )
}

const reviewWork = (cmd: Extract<Cmd, { _tag: "AskReview" }>, llm: typeof Llm.Service) => {
  const spec = findCase(cmd.caseId)!
  const prompt = reviewPrompt(spec, cmd.turns, cmd.covered)
  return llm
    .complete({ channel: "reviewer", caseId: spec.id, ...prompt, schema: Review, schemaName: "review" })
    .pipe(
      Effect.map(
        (a): Feedback => ({
          _tag: "ReviewReady",
          requestId: cmd.requestId,
          review: a.value,
          model: `${a.provider}:${a.model}`,
        }),
      ),
      Effect.catch(failed(cmd.requestId)),
    )
}

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
      case "AskPersona":
      case "AskReview": {
        const llm = yield* Llm
        const work = cmd._tag === "AskPersona" ? personaWork(cmd, llm) : reviewWork(cmd, llm)
        const tg = yield* Telegram
        const withTyping = Effect.raceFirst(
          work,
          keepTyping(chatId).pipe(Effect.provideService(Telegram, tg)),
        )
        return yield* (yield* Background).run(chatId, origin, withTyping)
      }
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
