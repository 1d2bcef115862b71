/** Waits for `promise`, or `ms` at most (without keeping a timer alive afterwards); never rejects. */
export const within = async (promise: Promise<unknown>, ms: number): Promise<void> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, ms))
  })
  await Promise.race([promise.catch(() => undefined), late])
  clearTimeout(timer)
}

/** The answer of `promise`, or a rejection after `ms` (the timer cleared either way: nothing is kept alive). */
export const answerWithin = async <A>(promise: Promise<A>, ms: number): Promise<A> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), Math.max(0, ms))
  })
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}
