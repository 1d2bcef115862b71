import { Schema } from "effect"

const Flow = Schema.Union([
  Schema.TaggedStruct("Idle", {}),
  Schema.TaggedStruct("AwaitingPassword", { purpose: Schema.Literals(["login", "relogin"]) }),
])

const Window = Schema.Struct({ start: Schema.Number, count: Schema.Number, warned: Schema.Boolean })

/** A chat's persisted state. Decoded from JSONB on every load, never trusted as is. */
export const Session = Schema.Struct({
  flow: Flow,
  auth: Schema.Struct({ failures: Schema.Number, lockedUntil: Schema.NullOr(Schema.Number) }),
  rate: Schema.Struct({ minute: Window, hour: Window }),
})
export type Session = typeof Session.Type
export type Flow = typeof Flow.Type

const emptyWindow = { start: 0, count: 0, warned: false }

export const initialSession: Session = {
  flow: { _tag: "Idle" },
  auth: { failures: 0, lockedUntil: null },
  rate: { minute: emptyWindow, hour: emptyWindow },
}

export const idle: Flow = { _tag: "Idle" }
