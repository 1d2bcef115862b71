/**
 * What a case's material says about its situation, in one place: the case card's step examples and the PDF
 * guide's examples and sample conversation are rendered from it (texts.ts, scripts/build-guides.ts), so they
 * cannot tell different stories. The persona prompt is prose of its own; `facts` are checked to be in it too.
 */
export interface CaseStory {
  /** «Евгений, есть десять минут? Хочу обсудить вторник»: how the learner might open. */
  readonly opening: string
  /** One example line per step of the method, in the method's order. */
  readonly examples: ReadonlyArray<string>
  /** How the learner might close the conversation (the algorithm's last step). */
  readonly closing: string
  /** The guide's sample conversation: who speaks, the line, and which steps it shows (letters), if any. */
  readonly dialogue: ReadonlyArray<{
    readonly who: "learner" | "persona"
    readonly line: string
    readonly steps?: string
  }>
  /** Words that name this situation: the card, the persona prompt and the guide all carry each of them. */
  readonly facts: ReadonlyArray<string>
}
