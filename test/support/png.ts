import { inflateSync } from "node:zlib"

/**
 * Reads a PNG back (test-only): its size from IHDR and its pixels (8-bit RGB or RGBA, non-interlaced, as resvg
 * writes them), unfiltered, so a test can look at what is drawn rather than at the file's size.
 */
export const decodePng = (bytes: Uint8Array) => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const signature = [137, 80, 78, 71, 13, 10, 26, 10]
  if (!signature.every((b, i) => bytes[i] === b)) throw new Error("not a PNG")
  let offset = 8
  let width = 0
  let height = 0
  let channels = 0
  const data: Uint8Array[] = []
  while (offset < bytes.length) {
    const length = view.getUint32(offset)
    const type = new TextDecoder().decode(bytes.subarray(offset + 4, offset + 8))
    const body = bytes.subarray(offset + 8, offset + 8 + length)
    if (type === "IHDR") {
      width = view.getUint32(offset + 8)
      height = view.getUint32(offset + 12)
      const [depth, colour, , , interlace] = body.subarray(8, 13)
      if (depth !== 8 || interlace !== 0 || (colour !== 2 && colour !== 6)) throw new Error("unsupported PNG")
      channels = colour === 6 ? 4 : 3
    }
    if (type === "IDAT") data.push(body)
    offset += 12 + length
  }
  const raw = inflateSync(Buffer.concat(data))
  const stride = width * channels
  const pixels = new Uint8Array(height * stride)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x]!
      const left = x >= channels ? pixels[y * stride + x - channels]! : 0
      const up = y > 0 ? pixels[(y - 1) * stride + x]! : 0
      const upLeft = y > 0 && x >= channels ? pixels[(y - 1) * stride + x - channels]! : 0
      const paeth = () => {
        const p = left + up - upLeft
        const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)]
        return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft
      }
      const predicted = [0, left, up, (left + up) >> 1, paeth()][filter] ?? 0
      pixels[y * stride + x] = (value + predicted) & 0xff
    }
  }
  /** The RGB of pixel (x, y). */
  const at = (x: number, y: number) => {
    const i = y * stride + x * channels
    return [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!] as const
  }
  return { width, height, at }
}

/** How many pixels of a column band are not white (drawn). */
export const drawnIn = (
  png: ReturnType<typeof decodePng>,
  x0: number,
  x1: number,
  y0: number,
  y1: number,
) => {
  let n = 0
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const [r, g, b] = png.at(x, y)
      if (r < 200 || g < 200 || b < 200) n++
    }
  return n
}
