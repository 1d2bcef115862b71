/** A port nothing listens on right now: bound once by the OS, then released (free to take, or refused to connect). */
export const unusedPort = (): number => {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } })
  const port = probe.port
  probe.stop(true)
  return port
}
