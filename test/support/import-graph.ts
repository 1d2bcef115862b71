/**
 * The static import graph of `src/`: every relative `import`/`export … from` (type-only ones too, since a type
 * cycle ties two modules as tightly as a value cycle), resolved to files. Used by the architecture tests.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"

export const SRC = resolve(import.meta.dir, "../../src")

const listTs = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return listTs(path)
    return path.endsWith(".ts") ? [path] : []
  })

const SPECIFIER = /(?:^|\n)\s*(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']/g
const SIDE_EFFECT = /(?:^|\n)\s*import\s*["']([^"']+)["']/g

const resolveFile = (from: string, spec: string): string | undefined => {
  const base = resolve(dirname(from), spec)
  for (const candidate of [base, `${base}.ts`, join(base, "index.ts")]) {
    try {
      if (statSync(candidate).isFile()) return candidate
    } catch {}
  }
  return undefined
}

/** Module path relative to `src/` → the `src/` modules it imports (relative paths too). */
export const importGraph = (root = SRC): Map<string, string[]> => {
  const graph = new Map<string, string[]>()
  for (const file of listTs(root)) {
    const text = readFileSync(file, "utf8")
    const specs = [...text.matchAll(SPECIFIER), ...text.matchAll(SIDE_EFFECT)].map((m) => m[1] ?? "")
    const targets = specs
      .filter((spec) => spec.startsWith("."))
      .map((spec) => resolveFile(file, spec))
      .filter((path): path is string => path !== undefined)
      .map((path) => relative(root, path))
    graph.set(relative(root, file), [...new Set(targets)])
  }
  return graph
}

/** Strongly connected components with more than one module (or a module importing itself): the cycles. */
export const importCycles = (graph: Map<string, string[]>): string[][] => {
  let index = 0
  const order = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  const visit = (node: string) => {
    order.set(node, index)
    low.set(node, index++)
    stack.push(node)
    onStack.add(node)
    for (const next of graph.get(node) ?? []) {
      if (!order.has(next)) {
        visit(next)
        low.set(node, Math.min(low.get(node)!, low.get(next)!))
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, order.get(next)!))
    }
    if (low.get(node) !== order.get(node)) return
    const component: string[] = []
    let member: string | undefined
    do {
      member = stack.pop()!
      onStack.delete(member)
      component.push(member)
    } while (member !== node)
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.sort())
  }
  for (const node of graph.keys()) if (!order.has(node)) visit(node)
  return cycles
}
