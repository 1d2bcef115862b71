/** Polls `check` until it holds; throws naming `what` after `timeoutMs`. Returns the milliseconds it waited. */
export const waitFor = async (
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  stepMs = 50,
): Promise<number> => {
  const start = Date.now()
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await Bun.sleep(stepMs)
  }
  return Date.now() - start
}
