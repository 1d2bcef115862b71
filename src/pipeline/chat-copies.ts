import { Context } from "effect"
import type { SessionAndSender } from "../repositories/sessions.repo"

/** A chat as this instance's last step for it left it: what its next update is reduced from at receipt. */
export interface ChatCopy {
  /** Whose role and counters `loaded` holds. */
  readonly userId: number
  readonly loaded: SessionAndSender
}

export interface ChatCopiesShape {
  readonly get: (chatId: number) => ChatCopy | undefined
  readonly remember: (chatId: number, copy: ChatCopy) => void
  readonly forget: (chatId: number) => void
}

/**
 * The chats this instance served last, at most `limit` of them (the oldest forgotten first). A copy is only ever a
 * guess: the statement that stores an update checks it against the database (migration 0017).
 */
export const chatCopies = (limit: number): ChatCopiesShape => {
  const copies = new Map<number, ChatCopy>()
  return {
    get: (chatId) => copies.get(chatId),
    remember: (chatId, copy) => {
      copies.delete(chatId)
      copies.set(chatId, copy)
      if (copies.size > limit) copies.delete(copies.keys().next().value as number)
    },
    forget: (chatId) => void copies.delete(chatId),
  }
}

/** The copies of the chat queue a worker runs for; outside one (no queue), none are kept. */
export const ChatCopies = Context.Reference<ChatCopiesShape>("emco/ChatCopies", {
  defaultValue: () => ({ get: () => undefined, remember: () => {}, forget: () => {} }),
})
