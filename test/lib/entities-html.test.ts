import { describe, expect, test } from "bun:test"
import type { MessageEntity } from "grammy/types"
import { entitiesToHtml } from "../../src/lib/entities-html"

const e = (type: string, offset: number, length: number, extra: object = {}) =>
  ({ type, offset, length, ...extra }) as MessageEntity

describe("entitiesToHtml", () => {
  test("no formatting (none, or only auto-detected links and mentions) → null", () => {
    expect(entitiesToHtml("привет")).toBeNull()
    expect(entitiesToHtml("см. https://x.io @team", [e("url", 4, 14), e("mention", 19, 5)])).toBeNull()
  })

  test("bold, italic, a link with quotes in its url, a spoiler; text escaped", () => {
    const text = "Важно: <всем> & ссылка тут"
    expect(
      entitiesToHtml(text, [
        e("bold", 0, 5),
        e("italic", 7, 6),
        e("text_link", 16, 6, { url: 'https://x.io/?q="a"&b' }),
        e("spoiler", 23, 3),
      ]),
    ).toBe(
      '<b>Важно</b>: <i>&lt;всем&gt;</i> &amp; <a href="https://x.io/?q=&quot;a&quot;&amp;b">ссылка</a> <tg-spoiler>тут</tg-spoiler>',
    )
  })

  test("nested entities stay one tag each; a quote with bold inside stays one quote", () => {
    expect(entitiesToHtml("abcdef", [e("blockquote", 0, 6), e("bold", 2, 2)])).toBe(
      "<blockquote>ab<b>cd</b>ef</blockquote>",
    )
    expect(entitiesToHtml("abcd", [e("bold", 0, 4), e("italic", 0, 4)])).toBe("<b><i>abcd</i></b>")
  })

  test("overlapping entities → closed and reopened, always well nested", () => {
    expect(entitiesToHtml("abcdef", [e("bold", 0, 4), e("italic", 2, 4)])).toBe("<b>ab<i>cd</i></b><i>ef</i>")
  })

  test("offsets in UTF-16 units: emoji before the entity do not shift it", () => {
    expect(entitiesToHtml("👋 привет", [e("bold", 3, 6)])).toBe("👋 <b>привет</b>")
  })

  test("pre with a language, inline code", () => {
    expect(entitiesToHtml("x = 1; y", [e("pre", 0, 6, { language: "ts" }), e("code", 7, 1)])).toBe(
      '<pre><code class="language-ts">x = 1;</code></pre> <code>y</code>',
    )
  })
})
