import type { Review, ReviewVerdict } from "./ai-reply"
import type { Attempt, Level, Turn } from "./attempt"
import type { Audience } from "./audience"
import type { Button } from "./callback-data"
import type { Role } from "./model"
import type { AdminStats } from "./views"

export type CaseStat = "started" | "completed" | "out_of_moves" | "auto_finished"

export type Keyboard =
  | { readonly _tag: "Inline"; readonly rows: ReadonlyArray<ReadonlyArray<Button>> }
  | {
      readonly _tag: "Reply"
      readonly rows: ReadonlyArray<ReadonlyArray<string>>
      readonly placeholder?: string
    }
  | { readonly _tag: "RemoveReply" }

/** Things to do in the current chat. Imperative, plain data: comparable with toEqual, storable as JSON. */
export type Cmd =
  | { readonly _tag: "Reply"; readonly html: string; readonly keyboard?: Keyboard }
  /** Edit the message in place; when that is impossible, send it as a new message. */
  | { readonly _tag: "Edit"; readonly messageId: number; readonly html: string; readonly keyboard?: Keyboard }
  | {
      readonly _tag: "AnswerCallback"
      readonly queryId: string
      readonly text?: string
      readonly alert?: boolean
    }
  | { readonly _tag: "DeleteMessage"; readonly messageId: number }
  | {
      readonly _tag: "SetRole"
      readonly userId: number
      readonly role: Role | null
      readonly firstName: string
      readonly username: string | null
    }
  | { readonly _tag: "PingDb" }
  | { readonly _tag: "ChatAction" }
  /** Ask the persona model for its next line; answers come back as PersonaReplied / AiFailed with this id. */
  | {
      readonly _tag: "AskPersona"
      readonly requestId: number
      readonly caseId: string
      readonly turns: ReadonlyArray<Turn>
      readonly text: string
      /** How hard the persona plays (absent in commands stored by an older version: the usual level). */
      readonly level?: Level
    }
  | {
      readonly _tag: "AskReview"
      readonly requestId: number
      readonly caseId: string
      readonly turns: ReadonlyArray<Turn>
      readonly covered: ReadonlyArray<string>
    }
  /** Downloads and transcribes a voice line; answered with Transcribed / TranscriptionFailed for that attempt. */
  | {
      readonly _tag: "Transcribe"
      readonly caseId: string
      readonly attempt: number
      readonly fileId: string
      readonly fileUniqueId: string
      readonly mime: string
      /** Its place in the attempt's lineup, echoed by the result (absent in rows stored before it existed). */
      readonly ticket?: number
    }
  /** The persona's line as a voice note too (VOICE_REPLIES), in the persona's own voice. */
  | { readonly _tag: "Speak"; readonly caseId: string; readonly text: string }
  | { readonly _tag: "RecordStat"; readonly caseId: string; readonly stat: CaseStat }
  | {
      readonly _tag: "SaveAttempt"
      readonly attempt: Attempt
      readonly review: Review | null
      readonly reviewModel: string | null
      readonly endedAt: number
      /** How the steps were decided (samples, rubric, quotes); null for a review stored by an older version. */
      readonly verdict?: ReviewVerdict | null
    }
  | { readonly _tag: "SendGuide"; readonly caseId: string }
  /** Invites to the survey unless this user was ever invited (the once-only lock lives in rating_invites). */
  | { readonly _tag: "InviteToSurvey" }
  | { readonly _tag: "SaveRating"; readonly question: string; readonly rating: number }
  /** The learner's current survey answers; answered with SurveyAnswersLoaded (shown in `messageId`). */
  | { readonly _tag: "LoadSurveyAnswers"; readonly messageId: number | null }
  | { readonly _tag: "SaveComment"; readonly text: string }
  | { readonly _tag: "LoadAdminStats" }
  /** Runs the Google Sheets export now; answered with ExportFinished. */
  | { readonly _tag: "ExportNow" }
  /** Sends the export's sheets as files to this chat (one XLSX, or a CSV per sheet); answered with FileExported. */
  | { readonly _tag: "ExportFile"; readonly format: "csv" | "xlsx" }
  | { readonly _tag: "SendStatsChart"; readonly stats: AdminStats }
  /** A page of /users (the search `query` or everyone); answered with UsersLoaded. */
  | {
      readonly _tag: "LoadUsers"
      readonly query: string
      readonly page?: number
      readonly messageId?: number | null
    }
  /** An admin opens a user's card; answered with UserCardLoaded (shown in `messageId`). */
  | {
      readonly _tag: "LoadUserCard"
      readonly userId: number
      readonly messageId: number | null
      /** The /users page the card was opened from (absent in rows stored before it existed: the first). */
      readonly page?: number
    }
  /** A message to another user's private chat (a role change they should know about). */
  | { readonly _tag: "NotifyUser"; readonly userId: number; readonly html: string }
  | { readonly _tag: "ChangeRole"; readonly target: string; readonly role: "user" | "admin" | "none" }
  /** Deletes everything the bot keeps about the actor (attempts, stats, ratings, comments, role, sessions). */
  | { readonly _tag: "ForgetMe" }
  /** Counts who each broadcast audience holds now; answered with AudiencesCounted. */
  | { readonly _tag: "CountAudiences" }
  /**
   * Creates the broadcast (recipients frozen now), posts its live progress message here and schedules its delivery.
   * `requestKey` makes a retried command find the broadcast it already created.
   */
  | {
      readonly _tag: "CreateBroadcast"
      readonly html: string
      readonly audience: Audience
      readonly sendAt: number | null
      readonly requestKey: string
    }
  /** The newest broadcasts; answered with BroadcastsLoaded (shown in `messageId` when set). */
  | { readonly _tag: "LoadBroadcasts"; readonly messageId: number | null }
  /** Cancels a scheduled or running broadcast; answered with BroadcastStopped. */
  | { readonly _tag: "StopBroadcast"; readonly id: number; readonly listMessageId: number | null }
  /** The learner's settings; answered with SettingsLoaded (shown in `messageId`). */
  | { readonly _tag: "LoadSettings"; readonly messageId: number | null }
  /** Turns the weekly practice reminder on or off; answered with SettingsLoaded. */
  | { readonly _tag: "SaveNudges"; readonly on: boolean; readonly messageId: number | null }
  /** Loads the learner's attempts; answered with ResultsLoaded for the message (and history page) to show. */
  | { readonly _tag: "LoadResults"; readonly messageId: number | null; readonly page: number }
  /** Loads one of the learner's attempts (by row id, checked against the learner); answered with AttemptLoaded. */
  | {
      readonly _tag: "OpenAttempt"
      readonly attemptId: number
      readonly messageId: number | null
      /** The results page it was opened from (its «back» returns there); absent in rows stored before it existed. */
      readonly page?: number
    }
  /** Loads an attempt's dialogue; answered with TranscriptLoaded. */
  | { readonly _tag: "LoadTranscript"; readonly attemptId: number }
  /** After a review: the learner's latest attempts of the case, for the trend line; answered with ProgressLoaded. */
  | { readonly _tag: "LoadProgress"; readonly caseId: string }

/** Which voice line a transcription's result is for: the attempt, and the line's ticket in its lineup. */
export const voiceLineOf = (cmd: Extract<Cmd, { _tag: "Transcribe" }>) => ({
  caseId: cmd.caseId,
  attempt: cmd.attempt,
  ...(cmd.ticket === undefined ? {} : { ticket: cmd.ticket }),
})

export const Cmd = {
  reply: (html: string, keyboard?: Keyboard): Cmd =>
    keyboard ? { _tag: "Reply", html, keyboard } : { _tag: "Reply", html },
  edit: (messageId: number, html: string, keyboard?: Keyboard): Cmd =>
    keyboard ? { _tag: "Edit", messageId, html, keyboard } : { _tag: "Edit", messageId, html },
  answer: (queryId: string, text?: string, alert?: boolean): Cmd => ({
    _tag: "AnswerCallback",
    queryId,
    ...(text === undefined ? {} : { text }),
    ...(alert ? { alert } : {}),
  }),
  delete: (messageId: number): Cmd => ({ _tag: "DeleteMessage", messageId }),
  /** A screen shown in place of the message `messageId` (a button's message), or as a new one without it. */
  show: (messageId: number | null, html: string, keyboard?: Keyboard): Cmd =>
    messageId === null ? Cmd.reply(html, keyboard) : Cmd.edit(messageId, html, keyboard),
  pingDb: { _tag: "PingDb" } as Cmd,
}

export const inline = (...rows: ReadonlyArray<ReadonlyArray<Button>>): Keyboard => ({ _tag: "Inline", rows })
