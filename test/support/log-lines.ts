import { recordOutput } from "./leak-scan"

/**
 * The app's log lines as parsed JSON, for tests that assert what an operator reads; every line still goes to the
 * R7 leak scan. Pass `logSink` to startBot.
 */
export const captureLogLines = () => {
  const lines: Array<Record<string, unknown>> = []
  const logSink = (line: string) => {
    recordOutput(line)
    lines.push(JSON.parse(line))
  }
  return { lines, logSink, named: (msg: string) => lines.filter((l) => l.msg === msg) }
}
