import { Data, type Effect } from "effect"
import type { Update } from "grammy/types"
import type { InboxRow } from "../../db/schema"
import type { Actor, Feedback, Input } from "../core/model"
import type { Session } from "../core/session"
import type { SavedWork } from "../repositories/enqueue.repo"
import type { SessionAndSender } from "../repositories/sessions.repo"
import type { DbError } from "../services/db"
import type { TelegramError } from "../services/telegram"
import type { Origin } from "./decode"
import type { Deps } from "./deps"

/** Another process saved this chat after we read it; the row is simply processed again from fresh state. */
export class VersionConflict extends Data.TaggedError("VersionConflict")<{ readonly chatId: number }> {}

export type PipelineError = DbError | TelegramError | VersionConflict

/** One step of the update pipeline. Stages are `Handler → Handler`, composed in `pipeline.ts`. */
export type Handler<C, E = PipelineError> = (c: C) => Effect.Effect<void, E, Deps>
/** The whole pipeline for one row: never fails; true when the row is done with (see error-boundary.ts). */
export type RowHandler = (c: RowCtx) => Effect.Effect<boolean, never, Deps>
export type Stage<Outer, Inner> = (next: Handler<Inner>) => Handler<Outer>

/** An inbox row's payload for a feedback event: the event plus who it is for. */
export interface EventPayload {
  readonly feedback: Feedback
  readonly origin: Origin
}

export type Source =
  | { readonly _tag: "Update"; readonly update: Update }
  | { readonly _tag: "Event"; readonly feedback: Feedback }

export interface RowCtx {
  readonly row: InboxRow
  /** The chat's session and `userId`'s role, read with the chat's lease (enqueue.repo): spares the load a read. */
  readonly preloaded?: { readonly loaded: SessionAndSender; readonly userId: number }
  /** The work the row's step started, its row written with the step at receipt: run it now (resume.ts). */
  readonly started?: SavedWork
}

/** The row as read once (read-row.ts): who it is for and what it carries. */
export interface ReadCtx extends RowCtx {
  readonly origin: Origin
  readonly source: Source
}

export interface LoadedCtx extends ReadCtx {
  /**
   * The chat and sender as read, before decoding: what a step reduced at receipt is checked against, and where the
   * sender's stored name (with their role) and an admin's revocation of their sign-in are read.
   */
  readonly loaded: SessionAndSender
  readonly actor: Actor
  readonly session: Session
  /** The session exactly as loaded; commit saves only what differs from it (the chat's state, the counters). */
  readonly loadedSession: Session
  readonly version: number
  readonly now: number
}

export interface InputCtx extends LoadedCtx {
  readonly input: Input
  /** Set when the stored update must be scrubbed (words that may be a password) once it has been read. */
  readonly redactedPayload?: unknown
  /** The sender's message to delete from the chat with the step (words that may be a password, password-reply.ts). */
  readonly eraseMessage?: number
}
