/** Waits for `promise`, or `ms` at most (without keeping a timer alive afterwards); never rejects. */
export const within = async (promise: Promise<unknown>, ms: number): Promise<void> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, ms))
  })
  await Promise.race([promise.catch(() => undefined), late])
  clearTimeout(timer)
}
