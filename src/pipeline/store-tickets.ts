interface Ticket {
  fresh: boolean
}

/**
 * Stores in flight, by chat. A store reads the chat's next row and session together with its lease; if a worker
 * of this instance starts for the chat meanwhile, that worker may process the stored row itself, so what the store
 * read is stale and must not be used. `issue` before the store, `invalidate` whenever a worker starts, `settle`
 * when the store answers, in the same synchronous step that acts on the answer.
 */
export const storeTickets = () => {
  const byChat = new Map<number, Set<Ticket>>()
  return {
    issue: (chatId: number, fresh: boolean): Ticket => {
      const ticket = { fresh }
      const tickets = byChat.get(chatId) ?? new Set()
      byChat.set(chatId, tickets.add(ticket))
      return ticket
    },
    invalidate: (chatId: number) => {
      for (const ticket of byChat.get(chatId) ?? []) ticket.fresh = false
    },
    /** Forgets the ticket; true when nothing invalidated it. */
    settle: (chatId: number, ticket: Ticket): boolean => {
      const tickets = byChat.get(chatId)
      tickets?.delete(ticket)
      if (tickets?.size === 0) byChat.delete(chatId)
      return ticket.fresh
    },
  }
}
