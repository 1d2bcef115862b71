import type { TestBot, TestUser } from "./harness"
import { makeOggOpus } from "./ogg-opus"
import { messageUpdate } from "./updates"

/** A real Ogg/Opus voice note from `user`, registered in the fake Bot API: the update and the file's bytes. */
export const voiceNote = (
  bot: TestBot,
  user: TestUser,
  { fileId = `voice-${user.id}`, durationSec = 2, firstName = "Аня" } = {},
) => {
  const bytes = makeOggOpus({ durationSec })
  const ids = { file_id: fileId, file_unique_id: `${fileId}-u` }
  bot.tg.addFile(bytes, { fileId: ids.file_id, fileUniqueId: ids.file_unique_id })
  const update = messageUpdate(
    { voice: { ...ids, duration: durationSec, mime_type: "audio/ogg", file_size: bytes.byteLength } },
    { chatId: user.id, userId: user.id, firstName, messageId: bot.tg.nextUserMessageId(user.id) },
  )
  return { update, bytes }
}
