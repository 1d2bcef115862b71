/**
 * The one order in which statements that touch several chats take their locks: by the chat's advisory lock key
 * (migration 0007: chat id mod 2^31−1), then by chat id. A store batch takes each chat's advisory lock, lease and
 * oldest pending row in this order, and a batch of command marks locks its rows in it too, so two batches never
 * wait for each other in a circle. SQL that locks several chats orders by `chat % 2147483647, chat` to match.
 * A statement of saves and marks together (step-writes.repo.ts) locks the saves' rows first, then the marks' in
 * this order: every row it touches belongs to a chat whose lease this instance holds, which no store batch locks.
 */
export const lockOrder = (a: number, b: number) => (a % 2147483647) - (b % 2147483647) || a - b
