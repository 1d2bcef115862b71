interface Waiting<In, Out> {
  readonly input: In
  readonly resolve: (out: Out) => void
  readonly reject: (error: unknown) => void
}

export interface BatchOptions<In, Out> {
  /** One input alone (its own statement). */
  readonly one: (input: In) => Promise<Out>
  /** Several inputs in one statement and one commit; results in the order given. */
  readonly many: (inputs: ReadonlyArray<In>) => Promise<ReadonlyArray<Out>>
  /** Statements in flight at once; inputs that arrive while all are busy wait and go together. */
  readonly slots: number
  readonly maxBatch: number
  /** The order inside a batch (a stable sort): the order in which the statement takes its locks. */
  readonly compare?: (a: In, b: In) => number
  /**
   * Under load: for this long after a batch of at least `LOADED` inputs answered, a free slot that finds fewer than
   * half as many waiting holds them for the rest (0 or absent: never).
   */
  readonly lingerMs?: number
}

/** The last batch's size from which a free slot lingers (below it, a quiet bot waits for nothing). */
export const LOADED = 4

/**
 * Group commit: an input that finds a free slot goes at once, alone, so a quiet bot waits for nothing; inputs that
 * arrive while every slot is busy go together in the next free slot's statement (under load, after a lingering
 * moment: `lingerMs`). Each caller still hears only when its own input is done (durable, for a write). A batch
 * that fails is tried again input by input, in order: one input the database refuses (an unstorable value) must
 * not fail the others.
 */
export const batched = <In, Out>(options: BatchOptions<In, Out>) => {
  const waiting: Array<Waiting<In, Out>> = []
  let inFlight = 0
  let lastSize = 0
  let freedAt = 0
  let lingering: ReturnType<typeof setTimeout> | undefined

  const alone = async (batch: ReadonlyArray<Waiting<In, Out>>) => {
    for (const w of batch) await options.one(w.input).then(w.resolve, w.reject)
  }

  // Answers the batch's callers: called once the next statement is on its way (pump), so the database works on it
  // while this process acts on the answers (a store's callers start their chats' workers).
  const run = async (batch: ReadonlyArray<Waiting<In, Out>>): Promise<() => void> => {
    if (batch.length === 1) {
      const [w] = batch as [Waiting<In, Out>]
      return options.one(w.input).then(
        (out) => () => w.resolve(out),
        (error: unknown) => () => w.reject(error),
      )
    }
    const results = await options.many(batch.map((w) => w.input)).catch(() => null)
    if (results === null) return alone(batch).then(() => () => {})
    return () => {
      batch.forEach((w, i) => {
        w.resolve(results[i]!)
      })
    }
  }

  // A closed loop (Telegram's webhook: each connection waits for its 200) comes back in waves: the callers of a
  // batch of 30 send their next updates a few milliseconds after their answers. A slot that went at once with
  // the first one or two of them spent a whole statement on them, and the rest waited for it: in P1, batches of
  // 31 and 1 took turns (bench/HISTORY.md, step 35).
  const lingerMs = options.lingerMs ?? 0
  const undersized = () =>
    lingerMs > 0 &&
    lastSize >= LOADED &&
    waiting.length * 2 < lastSize &&
    performance.now() - freedAt < lingerMs

  const pump = () => {
    if (lingering !== undefined) {
      if (undersized()) return
      clearTimeout(lingering)
      lingering = undefined
    }
    while (inFlight < options.slots && waiting.length > 0) {
      if (undersized()) {
        lingering = setTimeout(
          () => {
            lingering = undefined
            pump()
          },
          freedAt + lingerMs - performance.now(),
        )
        return
      }
      const batch = waiting.splice(0, options.maxBatch)
      lastSize = batch.length
      const { compare } = options
      if (compare) batch.sort((a, b) => compare(a.input, b.input))
      inFlight++
      const next = () => {
        inFlight--
        freedAt = performance.now()
        pump()
      }
      void run(batch).then(
        (answer) => {
          try {
            next()
          } finally {
            answer()
          }
        },
        // Only a statement that throws before it returns a promise gets here: its callers hear it (a caller
        // already answered ignores a second answer).
        (error: unknown) => {
          for (const w of batch) w.reject(error)
          next()
        },
      )
    }
  }

  return (input: In): Promise<Out> =>
    new Promise((resolve, reject) => {
      waiting.push({ input, resolve, reject })
      pump()
    })
}
