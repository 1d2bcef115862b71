/**
 * Characters a reader cannot see but a model reads: zero-width spaces and joiners, bidirectional embeddings,
 * overrides and isolates, word joiners, invisible operators, the byte-order mark and the soft hyphen. They can hide
 * instructions or make a quote look like something else, so learner text loses them at intake. A zero-width joiner
 * inside an emoji sequence (👨‍💻) is kept.
 */
const INVISIBLE = /[\u00AD\u180E\u200B\u200C\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g
const LONE_JOINER = /(?<!\p{Extended_Pictographic}\uFE0F?)\u200D|\u200D(?!\p{Extended_Pictographic})/gu

export const withoutInvisible = (text: string): string => text.replace(INVISIBLE, "").replace(LONE_JOINER, "")
