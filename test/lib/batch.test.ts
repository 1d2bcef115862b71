import { describe, expect, test } from "bun:test"
import { batched, LOADED } from "../../src/lib/batch"

/** A fake statement: records what went together, answers when released. */
const fakeDatabase = () => {
  const statements: number[][] = []
  const pending: Array<() => void> = []
  const answer = <A>(inputs: number[], value: A) => {
    statements.push(inputs)
    return new Promise<A>((resolve) => pending.push(() => resolve(value)))
  }
  const releaseAll = async () => {
    while (pending.length > 0) {
      pending.shift()!()
      await Bun.sleep(0)
    }
  }
  return { statements, answer, releaseAll }
}

/** A group over the fake: one input answers `one:n`, several `many:n` each. */
const overFake = (
  fake: ReturnType<typeof fakeDatabase>,
  options: { slots: number; maxBatch: number; compare?: (a: number, b: number) => number; lingerMs?: number },
) =>
  batched<number, string>({
    one: (n) => fake.answer([n], `one:${n}`),
    many: (ns) =>
      fake.answer(
        [...ns],
        ns.map((n) => `many:${n}`),
      ),
    ...options,
  })

describe("group commit (lib/batch.ts)", () => {
  test("a quiet moment: each input goes at once, alone", async () => {
    const fake = fakeDatabase()
    const run = overFake(fake, { slots: 2, maxBatch: 10 })
    const a = run(1)
    expect(fake.statements).toEqual([[1]])
    await fake.releaseAll()
    expect(await a).toBe("one:1")
  })

  test("inputs arriving while every slot is busy go together, in lock order; each caller gets its own answer", async () => {
    const fake = fakeDatabase()
    const run = overFake(fake, { slots: 1, maxBatch: 3, compare: (a, b) => a - b })
    const answers = [run(5), run(9), run(7), run(8), run(6)]
    expect(fake.statements).toEqual([[5]])
    await fake.releaseAll()
    expect(fake.statements).toEqual([[5], [7, 8, 9], [6]])
    expect(await Promise.all(answers)).toEqual(["one:5", "many:9", "many:7", "many:8", "one:6"])
  })

  test("a batch the database refuses is tried input by input, in order: only the bad one fails", async () => {
    const tried: number[] = []
    let busy: (() => void) | undefined
    const run = batched<number, number>({
      one: async (n) => {
        tried.push(n)
        if (n === 0) await new Promise<void>((resolve) => (busy = resolve))
        if (n === 13) throw new Error("unstorable")
        return n * 10
      },
      many: async () => {
        throw new Error("the batch failed")
      },
      slots: 1,
      maxBatch: 10,
    })
    const first = run(0)
    const rest = [run(12), run(13), run(14)].map((p) =>
      p.then(
        (v) => ({ ok: v }),
        (e: Error) => ({ error: e.message }),
      ),
    )
    busy!()
    expect(await first).toBe(0)
    expect(await Promise.all(rest)).toEqual([{ ok: 120 }, { error: "unstorable" }, { ok: 140 }])
    expect(tried).toEqual([0, 12, 13, 14])
  })

  test("the next statement is on its way before the callers of the last one hear their answers", async () => {
    const fake = fakeDatabase()
    const run = overFake(fake, { slots: 1, maxBatch: 10 })
    const sentWhenAnswered: number[] = []
    const first = run(1).then(() => sentWhenAnswered.push(fake.statements.length))
    void run(2)
    void run(3)
    await fake.releaseAll()
    await first
    // [1] was answered after [2, 3] had been sent: the database works while this process acts on the answer.
    expect(fake.statements).toEqual([[1], [2, 3]])
    expect(sentWhenAnswered).toEqual([2])
  })

  test("a rejected single input frees its slot: the next one still goes", async () => {
    const run = batched<number, number>({
      one: (n) => (n === 1 ? Promise.reject(new Error("refused")) : Promise.resolve(n)),
      many: async (ns) => ns,
      slots: 1,
      maxBatch: 10,
    })
    const refused = run(1)
    const next = run(2)
    await expect(refused).rejects.toThrow("refused")
    expect(await next).toBe(2)
  })

  test("a statement that throws before returning a promise: its caller hears it, and the group goes on", async () => {
    const run = batched<number, number>({
      one: (n) => {
        if (n === 1) throw new Error("thrown")
        return Promise.resolve(n)
      },
      many: async (ns) => ns,
      slots: 1,
      maxBatch: 10,
    })
    await expect(run(1)).rejects.toThrow("thrown")
    expect(await run(2)).toBe(2)
  })

  describe("under load, a free slot lingers for the wave the last batch sends back", () => {
    /** [0] alone, then 1–6 together (a loaded batch), and 7 waiting when that batch answers. */
    const afterLoadedBatch = async (lingerMs: number, loaded = 6) => {
      const fake = fakeDatabase()
      const run = overFake(fake, { slots: 1, maxBatch: 64, lingerMs })
      const answers = [run(0)]
      for (let n = 1; n <= loaded; n++) answers.push(run(n))
      await fake.releaseAll()
      answers.push(run(loaded + 1))
      await fake.releaseAll()
      return { fake, run, answers }
    }

    test("a straggler waits, and goes with the inputs that follow within lingerMs", async () => {
      const { fake, run, answers } = await afterLoadedBatch(1000)
      expect(fake.statements).toEqual([[0], [1, 2, 3, 4, 5, 6]])
      answers.push(run(8), run(9)) // three waiting: half the last batch, so they go at once
      expect(fake.statements).toEqual([[0], [1, 2, 3, 4, 5, 6], [7, 8, 9]])
      await fake.releaseAll()
      expect(await Promise.all(answers)).toEqual([
        "one:0",
        ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `many:${n}`),
      ])
    })

    test("when nobody follows, it goes alone after lingerMs", async () => {
      const { fake, answers } = await afterLoadedBatch(30)
      expect(fake.statements).toHaveLength(2)
      await Bun.sleep(60)
      expect(fake.statements.at(-1)).toEqual([7])
      await fake.releaseAll()
      expect(await answers.at(-1)).toBe("one:7")
    })

    test("an input that comes after the lingering moment goes at once", async () => {
      const fake = fakeDatabase()
      const run = overFake(fake, { slots: 1, maxBatch: 64, lingerMs: 30 })
      const answers = [run(0), ...[1, 2, 3, 4, 5, 6].map((n) => run(n))]
      await fake.releaseAll()
      await Bun.sleep(60)
      answers.push(run(7))
      expect(fake.statements.at(-1)).toEqual([7])
      await fake.releaseAll()
      expect(await answers.at(-1)).toBe("one:7")
    })

    test(`after a batch smaller than ${LOADED}, a quiet bot waits for nothing`, async () => {
      const { fake } = await afterLoadedBatch(1000, LOADED - 1)
      expect(fake.statements.at(-1)).toEqual([LOADED])
    })
  })
})
