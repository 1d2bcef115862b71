import type { Handler, ReadCtx, RowHandler } from "./stage"
import { authGate } from "./stages/auth-gate"
import { decodeInput } from "./stages/decode-input"
import { dispatch } from "./stages/dispatch"
import { errorBoundary } from "./stages/error-boundary"
import { loadActorAndSession } from "./stages/load"
import { observe } from "./stages/observe"
import { rateLimit } from "./stages/rate-limit"
import { readTheRow } from "./stages/read-row"
import { resumeCommitted } from "./stages/resume"
import { validate } from "./stages/validate"

/**
 * From the load on: the stages that reduce a row and act on its step. They also reduce an update at receipt
 * (at-receipt.ts), where commit() hands the step to the statement that stores the update instead of saving it.
 */
// biome-ignore format: one stage per line, top to bottom, is the point of this file
export const reduceRow: Handler<ReadCtx> =
  loadActorAndSession(  // role from authorized_users, chat session + version, the sender's user_limits
  decodeInput(          // update → Input; service messages and group chatter end here
  rateLimit(            // every sender, by user id; stricter without a role (GUEST_MAX_REQUESTS_*)
  authGate(             // no role → only /start, /help, /forget_me and the password reply
  validate(             // text limits; password verified here (not when locked out or revoked), scrubbed
  dispatch,             // pure reduce → persist (version check) → interpret commands
)))))

/**
 * One inbox row of one chat, processed while this instance holds the chat's lease (see chat-queue.ts, which
 * provides dedupe-by-inbox and per-chat ordering in front of this). The order of these lines is the behaviour.
 */
// biome-ignore format: one stage per line, top to bottom, is the point of this file
export const processRow: RowHandler =
  errorBoundary(        // log, report, retry; apologise after the last attempt; never a raw error
  observe(              // metrics and a log line per row
  readTheRow(           // who the row is for and what it carries, read once; a row without a sender is skipped
  resumeCommitted(      // state already saved before a crash → run only the remaining commands
  reduceRow,            // load, decode, limit, gate, validate, reduce, persist, interpret (above)
))))
