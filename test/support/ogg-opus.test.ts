import { describe, expect, test } from "bun:test"
import {
  inspectOggOpus,
  makeOggOpus,
  OGG_BOS,
  OGG_CONTINUED,
  OGG_EOS,
  OPUS_PRE_SKIP,
  oggCrc32,
  readOggPackets,
  readOggPages,
  SAMPLES_PER_FRAME,
  SILENT_OPUS_FRAME,
} from "./ogg-opus"

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex")

describe("Ogg CRC-32", () => {
  test("golden values pin the polynomial (0x04C11DB7, init 0, no reflection, no final XOR)", () => {
    expect(oggCrc32(new Uint8Array())).toBe(0)
    expect(oggCrc32(new TextEncoder().encode("123456789"))).toBe(0x89a1897f)
    expect(oggCrc32(Uint8Array.of(0x01))).toBe(0x04c11db7)
  })

  test("every page's CRC matches a recomputation with the CRC field zeroed", () => {
    const bytes = makeOggOpus({ durationSec: 3.5 })
    const pages = readOggPages(bytes)
    expect(pages.length).toBe(6)
    for (const page of pages) {
      const copy = bytes.slice(page.offset, page.offset + page.length)
      const stored = new DataView(copy.buffer).getUint32(22, true)
      copy.fill(0, 22, 26)
      expect(oggCrc32(copy)).toBe(stored)
      expect(stored).toBe(page.crc)
    }
  })

  test("a corrupted byte is rejected", () => {
    const bytes = makeOggOpus({ durationSec: 1 })
    bytes[bytes.length - 1]! ^= 0xff
    expect(() => readOggPages(bytes)).toThrow(/CRC mismatch/)
  })
})

describe("makeOggOpus page structure", () => {
  const bytes = makeOggOpus({ durationSec: 3.5, serial: 0xdeadbeef, vendor: "test vendor" })
  const pages = readOggPages(bytes)

  test("headers: capture pattern, version 0, one serial, consecutive sequence numbers", () => {
    for (const [i, page] of pages.entries()) {
      expect(text(bytes.subarray(page.offset, page.offset + 4))).toBe("OggS")
      expect(bytes[page.offset + 4]).toBe(0)
      expect(page.serial).toBe(0xdeadbeef)
      expect(page.sequence).toBe(i)
      expect(page.headerType & OGG_CONTINUED).toBe(0)
    }
  })

  test("first page is BOS with only OpusHead (RFC 7845 §5.1)", () => {
    const [first] = pages
    expect(first!.headerType).toBe(OGG_BOS)
    expect(first!.granule).toBe(0)
    expect(first!.segments).toEqual([19])
    expect(hex(first!.body)).toBe("4f707573486561640101380180bb0000000000")
    // version 1, 1 channel, pre-skip 312, 48000 Hz, gain 0, mapping family 0
  })

  test("second page holds only OpusTags with the vendor and zero comments", () => {
    const second = pages[1]!
    expect(second.headerType).toBe(0)
    expect(second.granule).toBe(0)
    expect(text(second.body.subarray(0, 8))).toBe("OpusTags")
    const view = new DataView(second.body.buffer, second.body.byteOffset, second.body.byteLength)
    expect(view.getUint32(8, true)).toBe(11)
    expect(text(second.body.subarray(12, 23))).toBe("test vendor")
    expect(view.getUint32(23, true)).toBe(0)
    expect(second.body.length).toBe(27)
  })

  test("audio pages: 50 × 20 ms silent CELT frames, only the last is EOS", () => {
    const audio = pages.slice(2)
    for (const [i, page] of audio.entries()) {
      const last = i === audio.length - 1
      expect(page.headerType).toBe(last ? OGG_EOS : 0)
      if (!last) expect(page.segments.length).toBe(50)
      expect(page.segments.every((s) => s === 3)).toBe(true)
    }
    const packets = readOggPackets(pages).slice(2)
    expect(packets.length).toBe(176) // 175 frames + 1 covering the pre-skip
    for (const packet of packets) expect(hex(packet)).toBe(hex(SILENT_OPUS_FRAME))
    // TOC: config 31 (CELT-only FB 20 ms), mono, code 0 (RFC 6716 §3.1)
    expect(SILENT_OPUS_FRAME[0]! >> 3).toBe(31)
    expect(SILENT_OPUS_FRAME[0]! & 0x07).toBe(0)
  })

  test("granules are non-decreasing, count 48 kHz samples and end at pre-skip + duration", () => {
    const granules = pages.map((p) => p.granule)
    expect(granules).toEqual([0, 0, 48000, 96000, 144000, 168312])
    for (let i = 1; i < granules.length; i++) expect(granules[i]!).toBeGreaterThanOrEqual(granules[i - 1]!)
    // End trimming only: the decoded samples cover the final granule.
    expect(176 * SAMPLES_PER_FRAME).toBeGreaterThanOrEqual(granules.at(-1)!)
  })

  test("golden first page for a fixed serial", () => {
    const first = readOggPages(makeOggOpus({ durationSec: 1, serial: 1 }))[0]!
    expect(first.crc).toBe(0xd9f59f1c)
  })
})

describe("inspectOggOpus", () => {
  test("2.5 s reads back exactly", () => {
    const info = inspectOggOpus(makeOggOpus({ durationSec: 2.5 }))
    expect(info.durationSec).toBe(2.5)
    expect(info).toEqual({
      channels: 1,
      preSkip: OPUS_PRE_SKIP,
      inputSampleRate: 48000,
      granule: OPUS_PRE_SKIP + 125 * SAMPLES_PER_FRAME,
      durationSec: 2.5,
      pages: 5,
      packets: 126,
    })
  })

  test("fractional durations round to whole 20 ms frames", () => {
    expect(inspectOggOpus(makeOggOpus({ durationSec: 0.3 })).durationSec).toBe(0.3)
    expect(inspectOggOpus(makeOggOpus({ durationSec: 1.009 })).durationSec).toBe(1)
    expect(inspectOggOpus(makeOggOpus({ durationSec: 1.011 })).granule).toBe(OPUS_PRE_SKIP + 51 * 960)
    expect(inspectOggOpus(makeOggOpus({ durationSec: 0 })).packets).toBe(1)
    expect(() => makeOggOpus({ durationSec: -1 })).toThrow(RangeError)
    expect(() => makeOggOpus({ durationSec: Number.NaN })).toThrow(RangeError)
  })

  test("400 s: right duration and a compact size", () => {
    const bytes = makeOggOpus({ durationSec: 400 })
    const info = inspectOggOpus(bytes)
    expect(info.durationSec).toBe(400)
    expect(info.granule).toBe(19_200_312)
    expect(info.packets).toBe(20_001)
    expect(info.pages).toBe(2 + 401)
    // 20 001 × 3 payload bytes + 401 audio page headers of ~77 bytes + the header pages
    expect(bytes.length).toBeGreaterThan(85_000)
    expect(bytes.length).toBeLessThan(100_000)
  })

  test("long vendor strings are laced across 255-byte segments", () => {
    const bytes = makeOggOpus({ durationSec: 0.1, vendor: "v".repeat(300) })
    expect(readOggPages(bytes)[1]!.segments).toEqual([255, 61])
    expect(inspectOggOpus(bytes).durationSec).toBe(0.1)
  })

  test("rejects non-Opus input", () => {
    expect(() => inspectOggOpus(new TextEncoder().encode("RIFF....WAVEfmt "))).toThrow()
  })
})
