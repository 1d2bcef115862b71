import type { Socket } from "bun"

export interface TcpProxy {
  readonly port: number
  /**
   * Drops every open connection and, until `restore`, refuses new ones (`refuse`: nothing listens, as when the
   * server is down) or accepts and closes them at once (`reset`: as a pooler or a load balancer in front of a dead
   * server does).
   */
  readonly cut: (mode?: "refuse" | "reset") => void
  readonly restore: () => void
  readonly stop: () => void
}

interface Pair {
  client: Socket<Pair>
  upstream: Socket<Pair> | null
  /** Bytes from the client that arrived before the upstream connection was open. */
  pending: Uint8Array[]
  /** Bytes a socket did not take yet (written on its drain), per direction. */
  toClient: Uint8Array[]
  toUpstream: Uint8Array[]
}

/** Writes what the socket takes now and queues the rest, in order, for its drain event. */
const send = (socket: Socket<Pair>, queue: Uint8Array[], chunk?: Uint8Array) => {
  if (chunk) queue.push(new Uint8Array(chunk))
  while (queue.length > 0) {
    const head = queue[0]!
    const written = socket.write(head)
    if (written < head.length) {
      queue[0] = head.subarray(Math.max(0, written))
      return
    }
    queue.shift()
  }
}

/**
 * A TCP proxy in front of a server (PostgreSQL in tests) that can simulate it becoming unreachable: `cut` drops
 * every connection the way a network failure or a server restart would, and refuses new ones until `restore`.
 */
export const startTcpProxy = (targetPort: number, targetHost = "127.0.0.1"): TcpProxy => {
  let down = false
  const pairs = new Set<Pair>()
  const listen = (port: number) =>
    Bun.listen<Pair>({
      hostname: "127.0.0.1",
      port,
      socket: {
        open(client) {
          if (down) {
            client.end()
            return
          }
          const pair: Pair = { client, upstream: null, pending: [], toClient: [], toUpstream: [] }
          client.data = pair
          pairs.add(pair)
          void Bun.connect<Pair>({
            hostname: targetHost,
            port: targetPort,
            socket: {
              open(upstream) {
                upstream.data = pair
                pair.upstream = upstream
                for (const chunk of pair.pending.splice(0)) send(upstream, pair.toUpstream, chunk)
              },
              data(_upstream, chunk) {
                send(pair.client, pair.toClient, chunk)
              },
              drain(upstream) {
                send(upstream, pair.toUpstream)
              },
              close() {
                pair.client.end()
                pairs.delete(pair)
              },
              error() {
                pair.client.end()
              },
            },
          }).catch(() => {
            client.end()
            pairs.delete(pair)
          })
        },
        data(client, chunk) {
          const pair = client.data
          if (!pair) return
          if (pair.upstream) send(pair.upstream, pair.toUpstream, chunk)
          else pair.pending.push(new Uint8Array(chunk))
        },
        drain(client) {
          if (client.data) send(client, client.data.toClient)
        },
        close(client) {
          const pair = client.data
          if (!pair) return
          pair.upstream?.end()
          pairs.delete(pair)
        },
        error() {},
      },
    })
  let server = listen(0)
  const port = server.port
  /** While cut in `reset` mode: accepts and closes at once. */
  let resetter: { stop: (closeActiveConnections?: boolean) => void } | null = null
  return {
    port,
    cut: (mode = "refuse") => {
      if (down) return
      down = true
      server.stop(true)
      for (const pair of [...pairs]) {
        pair.client.terminate()
        pair.upstream?.terminate()
        pairs.delete(pair)
      }
      if (mode === "reset")
        resetter = Bun.listen({
          hostname: "127.0.0.1",
          port,
          socket: { open: (s) => void s.end(), data() {} },
        })
    },
    restore: () => {
      if (!down) return
      down = false
      resetter?.stop(true)
      resetter = null
      server = listen(port)
    },
    stop: () => {
      resetter?.stop(true)
      for (const pair of [...pairs]) {
        pair.client.terminate()
        pair.upstream?.terminate()
      }
      server.stop(true)
    },
  }
}
