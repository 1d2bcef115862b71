import type { CaseSpec } from "../../src/cases/kernel/spec"
import { kernelTexts } from "../../src/cases/kernel/texts"
import { reviewOf, scriptRoleplay } from "./ai-script"
import type { TestBot, TestUser } from "./harness"

/**
 * Plays one attempt to its review: the persona answers «Ну.», the judge and the reviewer find `covered` in the
 * learner's one line. `start` opens the case (its command by default); returns what the finish showed.
 */
export const reviewedAttempt = async (
  bot: TestBot,
  user: TestUser,
  spec: CaseSpec,
  covered: ReadonlyArray<string>,
  {
    line = "Во вторник ты не заполнил чек-лист",
    start = () => user.send(`/${spec.commands.start}`),
  }: { readonly line?: string; readonly start?: () => Promise<unknown> } = {},
) => {
  scriptRoleplay(bot.ai, spec, [{ reply: "Ну.", covered }], reviewOf(spec, covered))
  await start()
  await user.send(line)
  return user.send(kernelTexts.buttons.analysis)
}
