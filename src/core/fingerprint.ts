/**
 * A short, stable fingerprint of a value (FNV-1a over its JSON, base 36): for a button that must act only on the
 * exact thing shown above it. Not a security measure: the handler still checks who pressed it.
 */
export const fingerprint = (value: unknown): string => {
  let hash = 0x811c9dc5
  for (const char of JSON.stringify(value)) {
    hash ^= char.codePointAt(0)!
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0).toString(36)
}
