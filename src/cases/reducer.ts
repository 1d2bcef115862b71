import { makeRoleplayReducer } from "./kernel/roleplay"
import { cases } from "./registry"

/** The role-play reducer for every registered case. */
export const roleplayReducer = makeRoleplayReducer(cases)
