/** Escapes dynamic text for Telegram's HTML parse mode (the only three characters it requires). */
export const escapeHtml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
