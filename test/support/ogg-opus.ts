// Pure-TS Ogg Opus (RFC 3533 + RFC 7845) voice-note fixtures; checked against opusinfo, opusdec and ffprobe.

export interface OggOpusOptions {
  durationSec: number
  sampleRate?: 48000
  channels?: 1
  serial?: number
  vendor?: string
}

export interface OggOpusInfo {
  channels: number
  preSkip: number
  inputSampleRate: number
  granule: number
  durationSec: number
  pages: number
  /** Audio packets only (OpusHead and OpusTags excluded). */
  packets: number
}

export interface OggPage {
  offset: number
  length: number
  headerType: number
  granule: number
  serial: number
  sequence: number
  crc: number
  segments: number[] // lacing values (the segment table)
  body: Uint8Array
}

export const OGG_CONTINUED = 0x01
export const OGG_BOS = 0x02
export const OGG_EOS = 0x04
export const OPUS_PRE_SKIP = 312
export const SAMPLES_PER_FRAME = 960 // 20 ms at 48 kHz
/** RFC 6716 TOC 0xF8: config 31 (CELT-only FB 20 ms), mono, code 0; payload FF FE = CELT silence frame. */
export const SILENT_OPUS_FRAME: Uint8Array = Uint8Array.of(0xf8, 0xff, 0xfe)
const FRAMES_PER_PAGE = 50
const HEADER_SIZE = 27

const CRC_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256)
  for (let i = 0; i < 256; i++) {
    let r = i << 24
    for (let bit = 0; bit < 8; bit++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1
    table[i] = r >>> 0
  }
  return table
})()

/** Ogg CRC-32: polynomial 0x04C11DB7, initial value 0, no reflection, no final XOR. */
export function oggCrc32(bytes: Uint8Array): number {
  let crc = 0
  for (const byte of bytes) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0
  return crc
}

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text)
const latin = (bytes: Uint8Array | undefined, from: number, to: number): string =>
  String.fromCharCode(...(bytes?.subarray(from, to) ?? []))
function u32le(value: number): Uint8Array {
  const bytes = new Uint8Array(4)
  new DataView(bytes.buffer).setUint32(0, value, true)
  return bytes
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

type PageFields = { headerType: number; granule: number; serial: number; sequence: number }

function buildPage(packets: Uint8Array[], { headerType, granule, serial, sequence }: PageFields): Uint8Array {
  const lacing: number[] = []
  for (const packet of packets) {
    for (let left = packet.length; ; left -= 255) {
      lacing.push(Math.min(left, 255))
      if (left < 255) break
    }
  }
  if (lacing.length > 255) throw new RangeError(`Ogg page needs ${lacing.length} segments (max 255)`)
  const header = new Uint8Array(HEADER_SIZE + lacing.length)
  const view = new DataView(header.buffer)
  header.set(ascii("OggS"), 0) // byte 4 (stream structure version) stays 0
  header[5] = headerType
  view.setBigUint64(6, BigInt(granule), true)
  view.setUint32(14, serial >>> 0, true)
  view.setUint32(18, sequence, true)
  header[26] = lacing.length
  header.set(lacing, HEADER_SIZE)
  const page = concat([header, ...packets])
  new DataView(page.buffer).setUint32(22, oggCrc32(page), true) // computed while the CRC field is still zero
  return page
}

/** RFC 7845 §5.1: version 1, channels, pre-skip, input rate, output gain 0, mapping family 0. */
function opusHead(channels: number, inputSampleRate: number): Uint8Array {
  const head = new Uint8Array(19)
  const view = new DataView(head.buffer)
  head.set(ascii("OpusHead"), 0)
  head[8] = 1
  head[9] = channels
  view.setUint16(10, OPUS_PRE_SKIP, true)
  view.setUint32(12, inputSampleRate, true)
  return head
}

/** RFC 7845 §5.2: vendor string and an empty user comment list. */
const opusTags = (vendor: string): Uint8Array =>
  concat([ascii("OpusTags"), u32le(ascii(vendor).length), ascii(vendor), u32le(0)])

/** A valid Ogg Opus stream (RFC 7845): OpusHead page, OpusTags page, then audio pages of 20 ms Opus frames. */
export function makeOggOpus(options: OggOpusOptions): Uint8Array {
  const { durationSec, serial = 0x4f505553, vendor = "bun-test ogg-opus" } = options
  if (!Number.isFinite(durationSec) || durationSec < 0) throw new RangeError(`durationSec: ${durationSec}`)
  const finalGranule = OPUS_PRE_SKIP + Math.round(durationSec / 0.02) * SAMPLES_PER_FRAME
  // The decoder drops the first pre-skip samples, so emit enough packets to cover them; the EOS granule trims the tail.
  const packetCount = Math.ceil(finalGranule / SAMPLES_PER_FRAME)
  const head = opusHead(options.channels ?? 1, options.sampleRate ?? 48000)
  const pages = [
    buildPage([head], { headerType: OGG_BOS, granule: 0, serial, sequence: 0 }),
    buildPage([opusTags(vendor)], { headerType: 0, granule: 0, serial, sequence: 1 }),
  ]
  for (let done = 0; done < packetCount; ) {
    const count = Math.min(FRAMES_PER_PAGE, packetCount - done)
    done += count
    const last = done === packetCount
    const granule = last ? finalGranule : done * SAMPLES_PER_FRAME
    const frames = Array.from({ length: count }, () => SILENT_OPUS_FRAME)
    pages.push(buildPage(frames, { headerType: last ? OGG_EOS : 0, granule, serial, sequence: pages.length }))
  }
  return concat(pages)
}

/** Splits a byte stream into Ogg pages, checking capture pattern, version, bounds and each page's CRC. */
export function readOggPages(bytes: Uint8Array): OggPage[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const pages: OggPage[] = []
  for (let offset = 0; offset < bytes.length; ) {
    if (offset + HEADER_SIZE > bytes.length) throw new Error(`truncated Ogg page header at ${offset}`)
    if (latin(bytes, offset, offset + 4) !== "OggS") throw new Error(`no OggS capture pattern at ${offset}`)
    if (bytes[offset + 4] !== 0) throw new Error(`unsupported Ogg version at ${offset}`)
    const bodyStart = offset + HEADER_SIZE + bytes[offset + 26]!
    const segments = Array.from(bytes.subarray(offset + HEADER_SIZE, bodyStart))
    const length = bodyStart - offset + segments.reduce((sum, s) => sum + s, 0)
    if (offset + length > bytes.length) throw new Error(`truncated Ogg page at ${offset}`)
    const crc = view.getUint32(offset + 22, true)
    const copy = bytes.slice(offset, offset + length)
    copy.fill(0, 22, 26)
    if (oggCrc32(copy) !== crc) throw new Error(`Ogg CRC mismatch in page at ${offset}`)
    pages.push({
      offset,
      length,
      headerType: bytes[offset + 5]!,
      granule: Number(view.getBigUint64(offset + 6, true)),
      serial: view.getUint32(offset + 14, true),
      sequence: view.getUint32(offset + 18, true),
      crc,
      segments,
      body: bytes.subarray(bodyStart, offset + length),
    })
    offset += length
  }
  return pages
}

/** Reassembles packets from pages (lacing values < 255 end a packet; a packet may continue on the next page). */
export function readOggPackets(pages: OggPage[]): Uint8Array[] {
  const packets: Uint8Array[] = []
  const pending: Uint8Array[] = []
  for (const page of pages) {
    let at = 0
    for (const size of page.segments) {
      pending.push(page.body.subarray(at, at + size))
      at += size
      if (size < 255) packets.push(concat(pending.splice(0)))
    }
  }
  return packets
}

/** Reads back what a decoder/player would: channel count, pre-skip, sample rate, the final granule position and the duration in seconds. */
export function inspectOggOpus(bytes: Uint8Array): OggOpusInfo {
  const pages = readOggPages(bytes)
  const [head, tags, ...audio] = readOggPackets(pages)
  if (!head || latin(head, 0, 8) !== "OpusHead" || head.length < 19)
    throw new Error("first packet is not OpusHead")
  if (latin(tags, 0, 8) !== "OpusTags") throw new Error("second packet is not OpusTags")
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength)
  const preSkip = view.getUint16(10, true)
  const granule = pages.at(-1)?.granule ?? 0
  return {
    channels: head[9]!,
    preSkip,
    inputSampleRate: view.getUint32(12, true),
    granule,
    durationSec: (granule - preSkip) / 48000,
    pages: pages.length,
    packets: audio.length,
  }
}
