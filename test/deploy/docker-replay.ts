import { chownSync, mkdirSync, readFileSync } from "node:fs"
import { join, posix } from "node:path"
import { contextFiles } from "./docker-context"
import { copyFromContext, copyFromStage } from "./docker-copy"
import { commandOf, copyArgsOf, envPairsOf, healthcheckOf, type Stage, stagesOf } from "./dockerfile"

/**
 * `docker build` without Docker: each stage gets a temporary directory standing for its «/», COPY copies into it
 * exactly what Docker would (the .dockerignore'd context, or another stage's files), RUN runs on this machine
 * with its cwd at WORKDIR. The base image's system (/usr, /bin, bun) is this machine's; the image's own paths
 * (/app, /data, …) are rewritten into the stage's directory wherever they appear in RUN, ENV and WORKDIR.
 */

/** Users of the base image (oven/bun's /etc/passwd) and who they become here. */
export interface UserMap {
  readonly idsOf: (user: string) => { uid: number; gid: number }
  /** argv prefix that runs a command as `user` (empty when no switch is possible or needed). */
  readonly runAs: (user: string) => string[]
}

export interface Image {
  readonly stages: ReadonlyArray<Stage>
  /** Host directory standing for the final stage's «/». */
  readonly root: string
  readonly workdir: string
  /** The image's ENV, with its own paths already mapped into `root`. */
  readonly env: Readonly<Record<string, string>>
  readonly user: string
  readonly cmd: ReadonlyArray<string>
  readonly expose: ReadonlyArray<number>
  readonly healthcheck: ReadonlyArray<string> | undefined
  readonly stopSignal: NodeJS.Signals
  readonly hostPath: (containerPath: string) => string
}

// Top-level directories the base image provides; any other absolute path belongs to the image being built.
const SYSTEM = new Set([
  "bin",
  "dev",
  "etc",
  "lib",
  "lib64",
  "opt",
  "proc",
  "run",
  "sbin",
  "sys",
  "tmp",
  "usr",
  "var",
])

const mapperFor = (root: string, users: UserMap) => ({
  path: (p: string) => join(root, p),
  text: (s: string) =>
    s
      .replace(/(^|[\s=:'"])(\/[^\s'":;&|)]*)/g, (all, lead: string, p: string) =>
        SYSTEM.has(p.split("/")[1] ?? "") || p.startsWith("//") ? all : `${lead}${join(root, p)}`,
      )
      .replace(/\bchown\s+((?:-\S+\s+)*)([a-z_][\w-]*)(?::([a-z_][\w-]*))?(?=\s)/g, (_, opts, u, g) => {
        const ids = users.idsOf(u)
        return `chown ${opts}${ids.uid}${g ? `:${users.idsOf(g).gid}` : ""}`
      }),
})

export const replayDockerfile = (options: {
  readonly context: string
  readonly workRoot: string
  readonly users: UserMap
  readonly log: (line: string) => void
}): Image => {
  const { context, users, log } = options
  const stages = stagesOf(readFileSync(join(context, "Dockerfile"), "utf8"))
  const sent = contextFiles(context)
  const roots: string[] = []
  let image: Image | undefined
  for (const [index, stage] of stages.entries()) {
    const root = join(options.workRoot, `stage-${index}`)
    mkdirSync(root, { recursive: true, mode: 0o755 })
    roots.push(root)
    const map = mapperFor(root, users)
    const state = { workdir: "/", env: {} as Record<string, string>, user: "root" }
    const built = { cmd: [] as string[], expose: [] as number[], health: undefined as string[] | undefined }
    let stopSignal: NodeJS.Signals = "SIGTERM"
    const where = (p: string) => map.path(posix.resolve(state.workdir, p))
    const mappedEnv = () => Object.fromEntries(Object.entries(state.env).map(([k, v]) => [k, map.text(v)]))
    for (const step of stage.steps) {
      log(`[stage ${stage.name ?? index}] ${step.keyword} ${step.args}`)
      switch (step.keyword) {
        case "WORKDIR":
          state.workdir = posix.resolve(state.workdir, step.args)
          mkdirSync(map.path(state.workdir), { recursive: true })
          break
        case "ENV":
          for (const [k, v] of envPairsOf(step.args))
            state.env[k] = v.replace(/\$\{?(\w+)\}?/g, (_, n: string) => state.env[n] ?? "")
          break
        case "USER":
          state.user = step.args
          break
        case "COPY": {
          const { flags, sources, dest } = copyArgsOf(step.args)
          const unknown = Object.keys(flags).filter((f) => f !== "from" && f !== "chown")
          if (unknown.length > 0)
            throw new Error(`Dockerfile:${step.line}: COPY --${unknown[0]} is not replayed`)
          const into = dest.endsWith("/") || sources.length > 1 ? `${dest}/` : dest
          const copied = flags.from
            ? copyFromStage(roots[stageIndex(stages, flags.from)]!, sources, into, where, !flags.chown)
            : copyFromContext(context, sent, sources, into, where)
          if (flags.chown) {
            const ids = users.idsOf(flags.chown.split(":")[0]!)
            for (const target of copied) chownSync(target, ids.uid, ids.gid)
          }
          break
        }
        case "RUN": {
          const argv = commandOf(step.args).map(map.text)
          log(`  replayed as: ${[...users.runAs(state.user), ...argv].join(" ")}`)
          const done = Bun.spawnSync([...users.runAs(state.user), ...argv], {
            cwd: map.path(state.workdir),
            env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", ...mappedEnv() },
            stdout: "pipe",
            stderr: "pipe",
          })
          log(`${done.stdout.toString()}${done.stderr.toString()}`.trim())
          if (done.exitCode !== 0)
            throw new Error(
              `Dockerfile:${step.line}: RUN ${step.args} failed (exit ${done.exitCode}):\n${done.stderr.toString()}`,
            )
          break
        }
        case "CMD":
          built.cmd = commandOf(step.args)
          break
        case "EXPOSE":
          built.expose = step.args.split(/\s+/).map((p) => Number.parseInt(p, 10))
          break
        case "HEALTHCHECK":
          built.health = healthcheckOf(step.args)
          break
        case "STOPSIGNAL":
          stopSignal = step.args as NodeJS.Signals
          break
        default:
          throw new Error(`Dockerfile:${step.line}: ${step.keyword} is not replayed`)
      }
    }
    image = {
      stages,
      root,
      workdir: state.workdir,
      env: mappedEnv(),
      user: state.user,
      cmd: built.cmd,
      expose: built.expose,
      healthcheck: built.health,
      stopSignal,
      hostPath: map.path,
    }
  }
  if (!image) throw new Error("Dockerfile: no stage")
  return image
}

const stageIndex = (stages: ReadonlyArray<Stage>, ref: string) => {
  const index = /^\d+$/.test(ref) ? Number(ref) : stages.findIndex((s) => s.name === ref)
  if (index < 0) throw new Error(`COPY --from=${ref}: no such stage`)
  return index
}
