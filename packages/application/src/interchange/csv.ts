/**
 * CSV as spreadsheet users exchange it (RFC 4180): comma-separated, fields with a comma, quote or
 * line break quoted, quotes doubled, CRLF between records, and a UTF-8 byte-order mark so that
 * spreadsheet programs open Chinese text as UTF-8 rather than the local code page.
 */

export const UTF8_BOM = '\uFEFF';

function quoted(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The whole file: BOM, header, one line per row; a missing value is an empty field. */
export function formatCsv(
  columns: readonly string[],
  rows: readonly Readonly<Record<string, string | number | boolean | null | undefined>>[],
): string {
  const lines = [columns.map(quoted).join(',')];
  for (const row of rows) {
    lines.push(
      columns
        .map((column) => quoted(row[column] === undefined || row[column] === null ? '' : String(row[column])))
        .join(','),
    );
  }
  return `${UTF8_BOM}${lines.join('\r\n')}\r\n`;
}

/** Why a CSV text could not be read at all (not a row's problem). */
export class CsvFormatError extends Error {}

/** Records of a CSV text as lists of fields; a leading BOM is dropped. Throws CsvFormatError on an unclosed quote. */
export function parseCsvRecords(text: string): string[][] {
  const input = text.startsWith(UTF8_BOM) ? text.slice(1) : text;
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let index = 0;
  let inQuotes = false;
  while (index < input.length) {
    const character = input[index]!;
    if (inQuotes) {
      if (character === '"') {
        if (input[index + 1] === '"') {
          field += '"';
          index += 2;
          continue;
        }
        inQuotes = false;
      } else field += character;
      index += 1;
      continue;
    }
    if (character === '"' && field === '') inQuotes = true;
    else if (character === ',') {
      record.push(field);
      field = '';
    } else if (character === '\n' || character === '\r') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      if (character === '\r' && input[index + 1] === '\n') index += 1;
    } else field += character;
    index += 1;
  }
  if (inQuotes) throw new CsvFormatError('the file ends inside a quoted field');
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  // Blank lines (a trailing newline, an empty line in between) carry no record.
  return records.filter((fields) => !(fields.length === 1 && fields[0] === ''));
}

/** Header + records → objects keyed by column name; empty fields are absent. */
export function parseCsvObjects(text: string): Record<string, string>[] {
  const [header, ...records] = parseCsvRecords(text);
  if (header === undefined) return [];
  const columns = header.map((name) => name.trim());
  return records.map((fields) => {
    const row: Record<string, string> = {};
    columns.forEach((column, position) => {
      const value = fields[position];
      if (value !== undefined && value !== '') row[column] = value;
    });
    return row;
  });
}
