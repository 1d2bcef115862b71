import { describe, expect, test } from "bun:test"
import { oggDurationSec } from "../../src/lib/ogg-duration"
import { inspectOggOpus, makeOggOpus } from "../support/ogg-opus"

describe("oggDurationSec", () => {
  test.each([1, 3.5, 61])("a %p s Ogg Opus note → its real duration (as opusinfo reads it)", (seconds) => {
    const bytes = makeOggOpus({ durationSec: seconds })
    expect(oggDurationSec(bytes)).toBeCloseTo(inspectOggOpus(bytes).durationSec, 3)
    expect(oggDurationSec(bytes)).toBeCloseTo(seconds, 1)
  })

  test("a truncated file → how far its last whole page got", () => {
    const bytes = makeOggOpus({ durationSec: 10 })
    const half = oggDurationSec(bytes.subarray(0, Math.floor(bytes.length / 2)))
    expect(half).toBeGreaterThan(2)
    expect(half).toBeLessThan(8)
  })

  test("not Ogg, an unknown codec or garbage → null (the caller falls back to what it knows)", () => {
    expect(oggDurationSec(new Uint8Array(0))).toBeNull()
    expect(oggDurationSec(new TextEncoder().encode("ID3 mp3 bytes here"))).toBeNull()
    const bytes = makeOggOpus({ durationSec: 2 })
    const unknown = bytes.slice()
    unknown.set(new TextEncoder().encode("FLACHead"), 28)
    expect(oggDurationSec(unknown)).toBeNull()
    expect(oggDurationSec(bytes.subarray(0, 20))).toBeNull()
  })

  test("a Vorbis identification header → the stream's own sample rate", () => {
    const bytes = makeOggOpus({ durationSec: 4 })
    const vorbis = bytes.slice()
    const body = 28
    vorbis.set([0x01, ...new TextEncoder().encode("vorbis"), 0, 0, 0, 0, 1], body)
    new DataView(vorbis.buffer).setUint32(body + 12, 24_000, true)
    // Same granule, half the rate, no pre-skip: twice as long.
    expect(oggDurationSec(vorbis)).toBeCloseTo(inspectOggOpus(bytes).granule / 24_000, 3)
  })
})
