import { copyFileSync, mkdirSync } from "node:fs"
import { dirname, join, posix } from "node:path"

/** What Docker's COPY does with its sources; `where` maps a container path (relative to WORKDIR) to the host. */

/**
 * A stage's tree into another stage. Hard links unless the copy gets its own owner: the same bytes, modes and owner
 * as Docker's copy, without copying a few hundred megabytes of node_modules (bun links them from its cache anyway).
 */
const copyTree = (from: string, to: string, link: boolean) => {
  mkdirSync(dirname(to), { recursive: true })
  const done = Bun.spawnSync([
    "cp",
    "-R",
    "-P",
    "--preserve=mode,timestamps",
    link ? "-l" : "-p",
    "-T",
    from,
    to,
  ])
  if (done.exitCode !== 0) throw new Error(`COPY ${from}: ${done.stderr.toString()}`)
}

/** A directory source copies its contents; a file goes into a directory dest or becomes the dest. */
const destFor = (into: string, name: string, where: (p: string) => string) =>
  into.endsWith("/") ? where(posix.join(into, name)) : where(into)

export const copyFromStage = (
  root: string,
  sources: string[],
  into: string,
  where: (p: string) => string,
  link: boolean,
) =>
  sources.map((source) => {
    const target = destFor(into, posix.basename(source), where)
    copyTree(join(root, source), target, link)
    return target
  })

export const copyFromContext = (
  context: string,
  sent: ReadonlyArray<string>,
  sources: string[],
  into: string,
  where: (p: string) => string,
) =>
  sources.flatMap((source) => {
    const src = posix.normalize(source).replace(/^\/+/, "").replace(/\/+$/, "")
    const glob = new Bun.Glob(src)
    const asFile = sent.filter((f) => f === src || (/[*?[]/.test(src) && glob.match(f)))
    const inDir = src === "." ? sent : sent.filter((f) => f.startsWith(`${src}/`))
    if (asFile.length === 0 && inDir.length === 0)
      throw new Error(`COPY ${source}: not found in the build context (or excluded by .dockerignore)`)
    const pairs =
      asFile.length > 0
        ? asFile.map((f) => [f, destFor(into, posix.basename(f), where)] as const)
        : inDir.map((f) => [f, where(posix.join(into, src === "." ? f : f.slice(src.length + 1)))] as const)
    for (const [from, to] of pairs) {
      mkdirSync(dirname(to), { recursive: true })
      copyFileSync(join(context, from), to)
    }
    return pairs.map(([, to]) => to)
  })
