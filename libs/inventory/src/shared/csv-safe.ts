/** First characters that make a spreadsheet read a cell as a formula (or a hidden one, after a tab or CR). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A value for a CSV cell that Excel or LibreOffice will show, never run: text beginning like a
 * formula (`=cmd|' /C calc'!A0`, `+1`, `@SUM`) gets a leading apostrophe, as OWASP recommends.
 * Numbers stay numbers. The import takes the apostrophe off again (`fromCsvCell`), so an export
 * re-imports unchanged.
 */
export function csvCell(value: unknown): unknown {
  return typeof value === 'string' && FORMULA_START.test(value) ? `'${value}` : value;
}

/** The value a neutralised CSV cell stood for. */
export function fromCsvCell(text: string): string {
  return text.length > 1 && text[0] === "'" && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text;
}
