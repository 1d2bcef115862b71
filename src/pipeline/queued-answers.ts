/**
 * The feedback events a chat's worker queued in one pass (RowQueued, deps.ts): a command's answer goes before the
 * chat's updates that arrived while the command ran. After a restart the rows are read in arrival order alone.
 */
export const queuedAnswers = (state: { again: boolean }) => {
  const answers = new Set<number>()
  return {
    /** RowQueued's callback: a row of the chat was queued (with its id when it is a command's answer). */
    wake: (eventId?: number) => {
      state.again = true
      if (eventId !== undefined) answers.add(eventId)
    },
    processed: (rowId: number) => answers.delete(rowId),
    /** The rows to take before the chat's oldest pending one (nextRowOf). */
    ids: (): number[] => [...answers],
  }
}
