import { describe, expect, test } from "bun:test"
import { escapeHtml, visibleText } from "../../src/core/html"

describe("escapeHtml", () => {
  test("the three special characters → their entities", () => {
    expect(escapeHtml("<b>Tom & Jerry</b>")).toBe("&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;")
  })

  test("an existing entity → escaped again (text is text)", () => {
    expect(escapeHtml("&amp; &lt;")).toBe("&amp;amp; &amp;lt;")
  })

  test("quotes, apostrophes and other characters → unchanged", () => {
    expect(escapeHtml(`"quoted" 'single' Привет 😀 #1`)).toBe(`"quoted" 'single' Привет 😀 #1`)
  })

  test("every occurrence → escaped, not just the first", () => {
    expect(escapeHtml("<<&&>>")).toBe("&lt;&lt;&amp;&amp;&gt;&gt;")
  })

  test("empty string → empty string", () => {
    expect(escapeHtml("")).toBe("")
  })
})

describe("visibleText", () => {
  test("tags removed and entities decoded → what the user reads", () => {
    expect(visibleText("<b>Tom &amp; Jerry</b> &lt;3 &quot;x&quot; &#8470; &#x1F600;")).toBe(
      'Tom & Jerry <3 "x" № 😀',
    )
  })

  test("escapeHtml then visibleText → the original text", () => {
    const raw = "a < b && c > d <b>"
    expect(visibleText(escapeHtml(raw))).toBe(raw)
  })
})
