/** The attempt fields a review shows in its header: number N, the usual persona, no hints. */
export const plain = (number: number) => ({ number, hints: 0, level: "normal" as const })
