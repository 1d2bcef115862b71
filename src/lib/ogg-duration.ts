/**
 * The real duration of an Ogg Opus or Ogg Vorbis file (Telegram voice notes are Ogg Opus), read from the file itself
 * rather than from what the sender's client declared: the granule position of the last page of the first logical
 * stream (the furthest one), less the Opus pre-skip, over the stream's sample rate (RFC 3533, RFC 7845, Vorbis I
 * spec §4.2). Pure.
 * Null when the bytes are not an Ogg stream of a codec we know, or no page says how far it got.
 */

const HEADER = 27
const CAPTURE = [0x4f, 0x67, 0x67, 0x53] // "OggS"

const isPageAt = (b: Uint8Array, at: number) =>
  at + HEADER <= b.length && CAPTURE.every((c, i) => b[at + i] === c) && b[at + 4] === 0

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength)

const textAt = (b: Uint8Array, at: number, text: string) =>
  at + text.length <= b.length && [...text].every((c, i) => b[at + i] === c.charCodeAt(0))

/** Where the first packet of the page at `at` starts (after its segment table). */
const bodyOf = (b: Uint8Array, at: number) => at + HEADER + (b[at + 26] ?? 0)

/** Sample rate and samples to drop at the start, from the codec's identification header (first packet). */
const codecOf = (b: Uint8Array): { rate: number; skip: number } | null => {
  const body = bodyOf(b, 0)
  if (textAt(b, body, "OpusHead") && body + 12 <= b.length)
    return { rate: 48_000, skip: view(b).getUint16(body + 10, true) }
  if (textAt(b, body, "\x01vorbis") && body + 16 <= b.length) {
    const rate = view(b).getUint32(body + 12, true)
    return rate > 0 ? { rate, skip: 0 } : null
  }
  return null
}

/** Length of the page at `at`: header, segment table, and the segments it lists. */
const pageLength = (b: Uint8Array, at: number) => {
  const segments = b[at + 26] ?? 0
  let length = HEADER + segments
  for (let i = 0; i < segments; i++) length += b[at + HEADER + i] ?? 0
  return length
}

export const oggDurationSec = (bytes: Uint8Array): number | null => {
  if (!isPageAt(bytes, 0)) return null
  const codec = codecOf(bytes)
  if (!codec) return null
  const data = view(bytes)
  const serial = data.getUint32(14, true)
  // Page by page from the start (no false "OggS" inside audio data): the furthest granule of this stream wins.
  // A granule of -1 means no packet ends on that page.
  let furthest = -1n
  for (let at = 0; isPageAt(bytes, at); at += pageLength(bytes, at)) {
    const granule = data.getBigInt64(at + 6, true)
    if (data.getUint32(at + 14, true) === serial && granule > furthest) furthest = granule
  }
  if (furthest < 0n) return null
  return Math.max(0, Number(furthest) - codec.skip) / codec.rate
}
