import { spec as careerDialog } from "./career-dialog/case"
import { spec as fbEmployee } from "./fb-employee/case"
import { spec as fbPeer } from "./fb-peer/case"
import type { CaseSpec } from "./kernel/spec"

/** Every role-play case, in menu order. Adding a case is adding its folder and a line here. */
export const cases: ReadonlyArray<CaseSpec> = [fbEmployee, fbPeer, careerDialog]

export const findCase = (id: string): CaseSpec | undefined => cases.find((spec) => spec.id === id)
