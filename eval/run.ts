// `bun run eval [--case id[,id…]] [--samples k] [--out file] [--data dir]`: runs the per-line judge and the
// sampled reviewer of the configured provider against the labelled set in eval/cases, prints the metric table,
// writes it to eval/RESULTS.md and exits 1 below the thresholds; 2 on bad arguments, configuration or data, or a
// provider that answered nothing. Messages are in Russian, like the other operator commands.
import { parseArgs } from "node:util"
import { Effect } from "effect"
import { rubricVersion } from "../src/cases/kernel/rubric"
import { cases, findCase } from "../src/cases/registry"
import { loadOpsConfig } from "../src/cli/ops-config"
import { asCallOutcome } from "../src/roleplay/call-outcome"
import { makeGateway, type Route, routingTable } from "../src/services/ai-gateway"
import { providerClients, requireAiKey } from "../src/services/ai-setup"
import type { ProviderName } from "../src/services/llm"
import { type Ask, evaluateCase } from "./harness/evaluate"
import { loadCaseSet, setProblems } from "./harness/labels"
import { type Agreement, renderReport } from "./harness/report"
import { agreement, summarize, thresholdFailures } from "./harness/summary"

const USAGE = `Проверка судьи и разбора на размеченном наборе:
  bun run eval [--case id[,id…]] [--samples k] [--out файл] [--data папка]
  --case     кейсы через запятую (${cases.map((c) => c.id).join(", ")}); по умолчанию все
  --samples  сэмплов на реплику и на разбор, 1–7; по умолчанию REVIEW_SAMPLES
  --out      куда записать отчёт; по умолчанию eval/RESULTS.md
  --data     папка с набором; по умолчанию eval/cases`

const fail = (message: string): never => {
  console.error(message)
  process.exit(2)
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        case: { type: "string" },
        samples: { type: "string" },
        out: { type: "string", default: "eval/RESULTS.md" },
        data: { type: "string", default: "eval/cases" },
      },
    })
  } catch {
    return fail(`Неизвестный или неполный аргумент.\n\n${USAGE}`)
  }
})()
const config = loadOpsConfig()
const { env } = config
try {
  requireAiKey(env)
} catch (error) {
  fail(error instanceof Error ? error.message : String(error))
}
const samples = values.samples === undefined ? env.REVIEW_SAMPLES : Number(values.samples)
if (!Number.isInteger(samples) || samples < 1 || samples > 7)
  fail(`--samples: целое число от 1 до 7, а не «${values.samples}».\n\n${USAGE}`)
const specs = (values.case?.split(",") ?? cases.map((c) => c.id)).map(
  (id) => findCase(id.trim()) ?? fail(`--case: нет кейса «${id}».\n\n${USAGE}`),
)

const { clients } = providerClients(env)
/** An asker through a gateway with these routes: the bot's own fallback chains, or one provider alone. */
const askerFor = (routes: Parameters<typeof routingTable>[0]): Ask => {
  const gateway = makeGateway({
    clients,
    routes: routingTable(routes, env.AI_CASE_CHAINS ?? []),
    concurrency: env.AI_MAX_CONCURRENCY,
    queuedNoticeMs: 3000,
    record: () => Effect.void,
  })
  return (call) => Effect.runPromise(asCallOutcome(gateway.complete(call)))
}
const configured = askerFor({
  dialogue: env.AI_DIALOGUE_CHAIN,
  judge: env.AI_JUDGE_CHAIN,
  reviewer: env.AI_REVIEWER_CHAIN,
})
const DEFAULT_MODEL: Record<ProviderName, string> = { openai: "gpt-5-mini", gemini: "gemini-2.5-flash" }
const alone = (provider: ProviderName): Ask => {
  const route: Route = env.AI_JUDGE_CHAIN.find((r) => r.provider === provider) ?? {
    provider,
    model: DEFAULT_MODEL[provider],
  }
  return askerFor({ dialogue: [route], judge: [route], reviewer: [route] })
}

const summaries = []
const agreements: Agreement[] = []
for (const spec of specs) {
  const set = await loadCaseSet(values.data, spec.id).catch((e: Error) => fail(e.message))
  const problems = setProblems(spec, set)
  if (problems.length > 0) fail(`${spec.id}: набор неполон:\n  ${problems.join("\n  ")}`)
  console.error(
    `${spec.id}: ${set.lines.length} реплик, ${set.dialogues.length} разговоров × 2, сэмплов: ${samples}…`,
  )
  const run = await evaluateCase(spec, set, configured, samples)
  if (run.lines.every((l) => l.samples.every((sample) => sample === null)))
    fail(
      `${spec.id}: провайдер ИИ не ответил ни на один из ${run.lines.length * samples} запросов — проверь ключ, ` +
        "OPENAI_BASE_URL / GEMINI_BASE_URL и сеть.",
    )
  summaries.push(summarize(spec, run))
  const both = clients.openai && clients.gemini
  if (both) {
    const linesOnly = { ...set, dialogues: [] }
    const [a, b] = await Promise.all([
      evaluateCase(spec, linesOnly, alone("openai"), 1),
      evaluateCase(spec, linesOnly, alone("gemini"), 1),
    ])
    agreements.push({ caseId: spec.id, components: agreement(spec, a, b) })
  }
}

const chain = (routes: ReadonlyArray<Route>) => routes.map((r) => `${r.provider}:${r.model}`).join(" → ")
const failures = thresholdFailures(summaries)
const report = renderReport(
  {
    date: new Date().toISOString().slice(0, 10),
    models: [`Судья: ${chain(env.AI_JUDGE_CHAIN)}`, `Разбор: ${chain(env.AI_REVIEWER_CHAIN)}`],
    samples,
    rubrics: Object.fromEntries(specs.map((s) => [s.id, rubricVersion(s)])),
  },
  summaries,
  agreements,
  failures,
)
console.log(report)
await Bun.write(values.out, report)
process.exit(failures.length > 0 ? 1 : 0)
