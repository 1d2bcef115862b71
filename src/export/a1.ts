// A1 notation as the Sheets API speaks it: `'Title'!A1:C5`, `'Title'!A1:Z`, `'Title'` (the whole sheet).

/** `It's` → `'It''s'`: quoted titles are always valid, whatever letters, spaces or digits they hold. */
export const quoteSheetTitle = (title: string): string => `'${title.replaceAll("'", "''")}'`
