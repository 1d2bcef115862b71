import { Context, Effect, Layer } from "effect"

/** SVG → PNG in-process (resvg compiled to WebAssembly: no native module, no system packages). */
export interface ChartsShape {
  readonly png: (svg: string) => Effect.Effect<Uint8Array>
}

export class Charts extends Context.Service<Charts, ChartsShape>()("emco/Charts") {
  static readonly layer = Layer.succeed(Charts, {
    png: (svg: string) => Effect.promise(() => renderPng(svg)),
  })
}

type Renderer = { Resvg: typeof import("@resvg/resvg-wasm").Resvg; font: Uint8Array }

// Once per process, on the first chart: resvg's WebAssembly can be initialised only once, and the module and the
// font cost ~10 MB that most runs never need.
let renderer: Promise<Renderer> | undefined
const load = () => {
  renderer ??= (async () => {
    const resvg = await import("@resvg/resvg-wasm")
    await resvg.initWasm(await Bun.file(require.resolve("@resvg/resvg-wasm/index_bg.wasm")).arrayBuffer())
    const font = new Uint8Array(
      await Bun.file(require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf")).arrayBuffer(),
    )
    return { Resvg: resvg.Resvg, font }
  })()
  return renderer
}

export const renderPng = async (svg: string): Promise<Uint8Array> => {
  const { Resvg, font } = await load()
  const options = { font: { fontBuffers: [font], loadSystemFonts: false, defaultFontFamily: "DejaVu Sans" } }
  return new Resvg(svg, options).render().asPng()
}
