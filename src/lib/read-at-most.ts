/**
 * A body read chunk by chunk, given up (and the stream cancelled) as soon as it is longer than `limit` bytes, so
 * nothing larger is ever held: null then. `declared` (a Content-Length, 0 when unknown) over the limit is refused
 * before reading at all.
 */
export const readAtMost = async (
  body: ReadableStream<Uint8Array> | null,
  declared: number,
  limit: number,
): Promise<Uint8Array | null> => {
  if (declared > limit) {
    await body?.cancel().catch(() => {})
    return null
  }
  if (!body) return new Uint8Array(0)
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    total += next.value.byteLength
    if (total > limit) {
      await reader.cancel().catch(() => {})
      return null
    }
    chunks.push(next.value)
  }
  const bytes = new Uint8Array(total)
  let at = 0
  for (const chunk of chunks) {
    bytes.set(chunk, at)
    at += chunk.byteLength
  }
  return bytes
}
