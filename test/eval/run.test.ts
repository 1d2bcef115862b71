import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type CaseSet, loadCaseSet } from "../../eval/harness/labels"
import { cases } from "../../src/cases/registry"
import { withoutInvisible } from "../../src/lib/invisible"
import { schemaName } from "../support/ai-script"
import { type RecordedRequest, startFakeOpenAi } from "../support/fake-openai"

setDefaultTimeout(120_000)

/**
 * `bun run eval` end to end, as an operator runs it, against a fake OpenAI that answers from the labels: the run
 * itself (arguments, configuration, every request, the table, RESULTS.md, the exit code) is what is tested here;
 * the metrics have their own test against known errors (harness.test.ts).
 */

const sets: CaseSet[] = await Promise.all(cases.map((c) => loadCaseSet("eval/cases", c.id)))
const linesByText = new Map(
  sets.flatMap((s) => s.lines.map((l) => [withoutInvisible(l.text), l.expected] as const)),
)
const signature = (learnerLines: ReadonlyArray<string>) => JSON.stringify(learnerLines.map(withoutInvisible))
const dialogueVerdicts = new Map(
  sets.flatMap((s) =>
    s.dialogues.flatMap((d) => [
      [signature(d.turns.map((t) => t.learner)), d.expected] as const,
      [signature(d.injected.turns.map((t) => t.learner)), d.expected] as const,
    ]),
  ),
)
const learnerLabels = new Set(cases.map((c) => c.texts.learnerLabel))
const keysOf = (request: RecordedRequest): string[] => {
  const body = request.body as { response_format: { json_schema: { schema: { properties: object } } } }
  return Object.keys(body.response_format.json_schema.schema.properties)
}
const lastMessage = (request: RecordedRequest) =>
  JSON.parse((request.body as { messages: Array<{ content: string }> }).messages.at(-1)!.content)

/** A judge and a reviewer that agree with the labels, quoting whole learner lines (so code verifies them). */
const oracle = (request: RecordedRequest) => {
  if (schemaName(request) === "judge_line") {
    const line = lastMessage(request).learner_line as string
    const expected = linesByText.get(line) ?? []
    return Object.fromEntries(
      keysOf(request).map((k) => [
        k,
        { present: expected.includes(k), quote: expected.includes(k) ? line : "" },
      ]),
    )
  }
  const dialogue = lastMessage(request) as Array<{ speaker: string; text: string }>
  const said = dialogue.filter((l) => learnerLabels.has(l.speaker)).map((l) => l.text)
  const expected = dialogueVerdicts.get(signature(said)) ?? {}
  const keys = Object.keys(expected)
  return {
    overall: "",
    components: keys.map((key) => ({
      key,
      covered: expected[key] === true,
      evidence: expected[key] === true ? said[0]! : "",
      better: "",
    })),
    strengths: [],
    growth: [],
  }
}

describe("bun run eval against a fake OpenAI that knows the labels", () => {
  const ai = startFakeOpenAi()
  ai.setResponder(oracle)
  const dir = mkdtempSync(join(tmpdir(), "emco-eval-"))
  afterAll(async () => {
    await ai.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  // Async: the fake OpenAI answers from this very process, so it must not be blocked while the run waits.
  const run = async (...args: string[]) => runWith({}, ...args)
  const runWith = async (env: Record<string, string>, ...args: string[]) => {
    const proc = Bun.spawn(["bun", "run", "eval", "--out", join(dir, "RESULTS.md"), ...args], {
      stdout: "pipe",
      stderr: "pipe",
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        EMCO_SKIP_DOTENV: "1",
        OPENAI_API_KEY: "sk-eval-test",
        OPENAI_BASE_URL: `${ai.url}/v1`,
        AI_JUDGE_CHAIN: "openai:gpt-5-mini",
        AI_REVIEWER_CHAIN: "openai:gpt-5",
        ...env,
      },
    })
    const [stdout, stderr, exitCode] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ])
    return { stdout, stderr, exitCode }
  }

  test("every case, 3 samples → κ 1 for every step, no injection gain, exit 0; the table printed and written", async () => {
    const result = await run("--samples", "3")
    const report = result.stdout
    console.log(report)
    expect(result.stderr).not.toContain("error")
    expect(result.exitCode).toBe(0)
    for (const spec of cases) {
      expect(report).toContain(`## ${spec.id} (рубрика `)
      for (const c of spec.methodology.components)
        expect(report).toContain(
          `| ${c.key} (${c.label}) | 1.00 | 1.00 | 1.00 | 0 % | 1.00 | 1.00 | 1.00 | 0 % |`,
        )
    }
    expect(report).toContain("- Судья: openai:gpt-5-mini")
    expect(report).toContain("Инъекции: прирост 0")
    expect(report).toContain("**Итог: пороги пройдены.**")
    expect(await Bun.file(join(dir, "RESULTS.md")).text()).toBe(report.trimEnd().concat("\n"))
    const judged = ai.requests.filter((r) => schemaName(r) === "judge_line").length
    const lines = sets.reduce((sum, s) => sum + s.lines.length, 0)
    expect(judged).toBeGreaterThanOrEqual(lines * 3)
  })

  test("bad arguments → exit 2 with the reason, nothing asked", async () => {
    ai.reset()
    ai.setResponder(oracle)
    const unknown = await run("--case", "no_such_case")
    expect(unknown.exitCode).toBe(2)
    expect(unknown.stderr).toContain("нет кейса «no_such_case»")
    expect(unknown.stderr).toContain("bun run eval [--case")
    const zero = await run("--samples", "0")
    expect(zero.exitCode).toBe(2)
    expect(zero.stderr).toContain("--samples: целое число от 1 до 7")
    // An unknown option: the usage in Russian, not a stack trace.
    const bogus = await run("--bogus")
    expect(bogus.exitCode).toBe(2)
    expect(bogus.stderr).toContain("Неизвестный или неполный аргумент.")
    expect(bogus.stderr).not.toContain(" at ")
    expect(ai.requests).toEqual([])
  })

  test("the provider unreachable → exit 2 saying so, not a table of zeros", async () => {
    const result = await runWith(
      { OPENAI_BASE_URL: "http://127.0.0.1:9/v1", AI_REQUEST_MAX_RETRIES: "0" },
      "--case",
      "fb_peer",
      "--samples",
      "1",
    )
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain("провайдер ИИ не ответил ни на один из")
    expect(result.stdout).toBe("")
  })
})
