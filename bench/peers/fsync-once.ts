/** The fsync probe's control (pglite-fsync.ts): one fsync and one fdatasync, nothing else. */
import { closeSync, fdatasyncSync, fsyncSync, openSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const path = join(tmpdir(), `emco-fsync-probe-${process.pid}`)
const fd = openSync(path, "w")
fsyncSync(fd)
fdatasyncSync(fd)
closeSync(fd)
rmSync(path)
