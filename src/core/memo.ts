/** `derive`, computed once per key object (a case, a schema) and kept as long as the key lives. */
export const memoizedBy = <K extends object, V>(derive: (key: K) => V): ((key: K) => V) => {
  const known = new WeakMap<K, V>()
  return (key) => {
    if (known.has(key)) return known.get(key) as V
    const value = derive(key)
    known.set(key, value)
    return value
  }
}
