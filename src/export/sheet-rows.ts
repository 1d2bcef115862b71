/** A cell as written with `valueInputOption: RAW`: numbers stay numbers in the sheet. */
export type Cell = string | number
export type SheetRows = Cell[][]
/** Sheet title → its rows, header first; insertion order is the order of the tabs. */
export type SheetsData = Record<string, SheetRows>
