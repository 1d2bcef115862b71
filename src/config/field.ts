import { Redacted, Result, Schema } from "effect"

/** One environment variable: how to read it, its default, and a line for the configuration table (docs/configuration.md). */
export interface Field<A> {
  readonly parse: (raw: string) => Result.Result<A, string>
  readonly fallback: A | undefined
  readonly required: boolean
  readonly secret: boolean
  readonly doc: string
  /** The default as written in .env and the configuration table, when `String(fallback)` would not do (chains). */
  readonly display?: string
}

type Parser<A> = (raw: string) => Result.Result<A, string>
type CaseChannel = "dialogue" | "judge" | "reviewer" | "transcription"
type ChainValue = ReadonlyArray<{ readonly provider: "openai" | "gemini"; readonly model: string }>

const bySchema =
  <A>(schema: Schema.Codec<A, string>, problem: string): Parser<A> =>
  (raw) =>
    Result.mapError(Schema.decodeUnknownResult(schema)(raw), () => `«${raw}» — ${problem}`)

const between = (min: number, max: number) => Schema.isBetween({ minimum: min, maximum: max })

const parsers = {
  text: ((raw) => Result.succeed(raw)) as Parser<string>,
  int: (min: number, max: number) =>
    bySchema(
      Schema.NumberFromString.check(Schema.isInt(), between(min, max)),
      `нужно целое число от ${min} до ${max} / expected an integer ${min}..${max}`,
    ),
  num: (min: number, max: number) =>
    bySchema(
      Schema.FiniteFromString.check(between(min, max)),
      `нужно число от ${min} до ${max} / expected a number ${min}..${max}`,
    ),
  bool: ((raw) => {
    const v = raw.trim().toLowerCase()
    if (["true", "1", "yes", "on"].includes(v)) return Result.succeed(true)
    if (["false", "0", "no", "off", ""].includes(v)) return Result.succeed(false)
    return Result.fail(`«${raw}» — нужно true или false / expected true or false`)
  }) as Parser<boolean>,
  url: ((raw) =>
    URL.canParse(raw) && /^https?:/.test(raw)
      ? Result.succeed(raw.replace(/\/+$/, ""))
      : Result.fail(`«${raw}» — нужен адрес http(s)://… / expected an http(s) URL`)) as Parser<string>,
  /** `provider:model,provider:model` — an ordered fallback chain of AI routes. */
  chain: ((raw) => {
    const routes = raw
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part !== "")
    const parsed = routes.map((route) => /^(openai|gemini):([A-Za-z0-9._-]+)$/.exec(route))
    if (routes.length === 0 || parsed.some((m) => m === null))
      return Result.fail(
        `«${raw}» — нужен список provider:model через запятую (openai, gemini) / expected provider:model,… (openai, gemini)`,
      )
    return Result.succeed(parsed.map((m) => ({ provider: m![1] as "openai" | "gemini", model: m![2]! })))
  }) as Parser<ReadonlyArray<{ readonly provider: "openai" | "gemini"; readonly model: string }>>,
  /** `case.channel=chain;case.channel=chain` — per-case overrides of the route chains. */
  caseChains: ((raw) => {
    const entries = raw
      .split(";")
      .map((part) => part.trim())
      .filter((part) => part !== "")
    const out: Array<{ caseId: string; channel: CaseChannel; chain: ChainValue }> = []
    for (const entry of entries) {
      const m = /^([a-z][a-z0-9_]*)\.(dialogue|judge|reviewer|transcription)=(.+)$/.exec(entry)
      const chain = m ? parsers.chain(m[3]!) : null
      if (!m || !chain || Result.isFailure(chain))
        return Result.fail(
          `«${entry}» — нужно case.dialogue|judge|reviewer|transcription=provider:model,… / expected case.channel=chain`,
        )
      out.push({ caseId: m[1]!, channel: m[2] as CaseChannel, chain: chain.success })
    }
    return Result.succeed(out)
  }) as Parser<ReadonlyArray<{ caseId: string; channel: CaseChannel; chain: ChainValue }>>,
  oneOf:
    <const L extends string>(values: ReadonlyArray<L>): Parser<L> =>
    (raw) =>
      (values as ReadonlyArray<string>).includes(raw.trim())
        ? Result.succeed(raw.trim() as L)
        : Result.fail(`«${raw}» — допустимо: ${values.join(", ")} / allowed: ${values.join(", ")}`),
}

const make = <A>(
  parse: Parser<A>,
  doc: string,
  fallback?: A,
  required = false,
  secret = false,
): Field<A> => ({
  parse,
  fallback,
  required,
  secret,
  doc,
})

export const field = {
  text: (doc: string, fallback?: string) => make(parsers.text, doc, fallback),
  requiredSecret: (doc: string) => make(secretParser, doc, undefined, true, true),
  secret: (doc: string) => make(secretParser, doc, undefined, false, true),
  optionalInt: (min: number, max: number, doc: string) => make(parsers.int(min, max), doc),
  int: (min: number, max: number, fallback: number, doc: string) =>
    make(parsers.int(min, max), doc, fallback),
  num: (min: number, max: number, fallback: number, doc: string) =>
    make(parsers.num(min, max), doc, fallback),
  port: (fallback: number, doc: string) => make(parsers.int(0, 65535), doc, fallback),
  bool: (fallback: boolean, doc: string) => make(parsers.bool, doc, fallback),
  url: (doc: string, fallback?: string) => make(parsers.url, doc, fallback),
  caseChains: (doc: string) => make(parsers.caseChains, doc),
  chain: (fallback: string, doc: string) => {
    const parsed = parsers.chain(fallback)
    if (Result.isFailure(parsed)) throw new Error(`bad default chain ${fallback}`)
    return { ...make(parsers.chain, doc, parsed.success), display: fallback }
  },
  oneOf: <const L extends string>(values: ReadonlyArray<L>, fallback: L, doc: string) =>
    make(parsers.oneOf(values), doc, fallback),
}

const secretParser: Parser<Redacted.Redacted<string>> = (raw) => Result.succeed(Redacted.make(raw))
