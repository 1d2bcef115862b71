import type { Cmd } from "./commands"
import type { Session } from "./session"

/** What every reducer returns: the chat's next state and the commands to run, in order. */
export type Step = readonly [Session, ReadonlyArray<Cmd>]
