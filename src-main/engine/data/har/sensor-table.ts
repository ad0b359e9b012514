import Papa from 'papaparse';

/**
 * One recording as a sensor board, phone logger or acquisition tool writes it: a .csv or .txt file with or
 * without a header, cells separated by `,` `;` tab or runs of spaces, one sample per line. Every problem
 * names the file and the line, so the user can open the file at that line.
 */
export interface SensorTable {
  file: string;
  /** Header names, or col1…colN when the file has no header. */
  columns: string[];
  hasHeader: boolean;
  delimiter: ',' | ';' | '\t' | ' ';
  /** Column-major numbers: values[column][row]. */
  values: Float64Array[];
  rows: number;
  /** The time column (a header named like time/timestamp, or a headerless first column that always increases). */
  timeColumn?: number;
  /** Seconds per unit of the time column when its header says (e.g. `time_ms` → 0.001). */
  timeUnit?: number;
}

/** Header names that are never sensor channels. */
const NOT_CHANNELS = /^(label|activity|class|subject|user|id)$/i;
const TIME_NAME = /^(timestamp|time|ts|t|elapsed|epoch|seconds|millis)([^a-z].*)?$/i;

function timeUnitOf(name: string): number | undefined {
  const unit = /[_\s([](ns|us|µs|ms|s)\]?\)?$/i.exec(name)?.[1]?.toLowerCase();
  if (name.toLowerCase() === 'millis') return 1e-3;
  return unit === 'ns' ? 1e-9 : unit === 'us' || unit === 'µs' ? 1e-6 : unit === 'ms' ? 1e-3 : unit === 's' ? 1 : undefined;
}

/** Rows of cells, one per line (an empty line is one empty cell), split on the delimiter the text uses. */
function splitRows(text: string): { rows: string[][]; delimiter: SensorTable['delimiter'] } {
  const probe = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#')).slice(0, 20);
  const parsed = Papa.parse<string[]>(text, { delimitersToGuess: [',', ';', '\t'], skipEmptyLines: false });
  const guessed = parsed.meta.delimiter as SensorTable['delimiter'];
  const guessOk = probe.length > 0 && probe.every((l) => l.includes(guessed));
  if (guessOk) return { rows: parsed.data.map((r) => r.map((c) => c.trim())), delimiter: guessed };
  // Papaparse guesses among single characters; runs of spaces are a delimiter of their own.
  return { rows: text.split(/\r?\n/).map((l) => (l.trim() === '' ? [''] : l.trim().split(/\s+/))), delimiter: ' ' };
}

/** A cell as a number: '' and text are errors; `1,5` is 1.5 when `;` separates the cells (European locale). */
function toNumber(cell: string, delimiter: string): number {
  if (cell === '') return NaN;
  const v = Number(delimiter === ';' && /^[-+]?\d+,\d+$/.test(cell) ? cell.replace(',', '.') : cell);
  return v;
}

const isNumeric = (cell: string, delimiter: string) => cell !== '' && Number.isFinite(toNumber(cell, delimiter));

function describeBad(cell: string): string {
  if (cell === '') return 'is empty';
  if (/^[-+]?(nan|inf(inity)?)$/i.test(cell)) return `is ${cell}, not a measured value`;
  return `is "${cell.length > 30 ? `${cell.slice(0, 30)}…` : cell}", not a number`;
}

function strictlyIncreasing(v: Float64Array): boolean {
  for (let i = 1; i < v.length; i++) if (!(v[i] > v[i - 1])) return false;
  return v.length >= 3;
}

/** Parses one recording; throws `file:line: problem` on a ragged row, text in a number column, NaN or no data. */
export function parseSensorTable(file: string, text: string): SensorTable {
  const { rows, delimiter } = splitRows(text.replace(/^\uFEFF/, ''));
  // A trailing delimiter on every line (some loggers write one) leaves an empty last cell: drop it.
  for (const r of rows) if (r.length > 1 && r[r.length - 1] === '') r.pop();
  const isBlank = (r: string[]) => (r.length === 1 && r[0] === '') || r[0].startsWith('#');
  const first = rows.findIndex((r) => !isBlank(r));
  if (first < 0) throw new Error(`${file}: empty file`);
  const hasHeader = rows[first].some((c) => !isNumeric(c, delimiter));
  const width = rows[first].length;
  const columns = hasHeader ? rows[first].map((c, i) => c.replace(/^"|"$/g, '') || `col${i + 1}`) : rows[first].map((_, i) => `col${i + 1}`);
  const skipped = columns.map((name) => hasHeader && NOT_CHANNELS.test(name));
  const data: number[][] = columns.map(() => []);
  for (let i = hasHeader ? first + 1 : first; i < rows.length; i++) {
    const r = rows[i];
    if (isBlank(r)) continue;
    if (r.length !== width)
      throw new Error(`${file}:${i + 1}: ${r.length} column${r.length === 1 ? '' : 's'}, but ${hasHeader ? 'the header has' : `line ${first + 1} has`} ${width}`);
    for (let c = 0; c < width; c++) {
      if (skipped[c]) continue;
      const v = toNumber(r[c], delimiter);
      if (!Number.isFinite(v)) throw new Error(`${file}:${i + 1}: column "${columns[c]}" ${describeBad(r[c])}`);
      data[c].push(v);
    }
  }
  const rowCount = data[skipped.indexOf(false)]?.length ?? 0;
  if (rowCount === 0) throw new Error(`${file}: no data rows${hasHeader ? ' below the header' : ''}`);
  const values = data.map((d) => Float64Array.from(d));
  let timeColumn: number | undefined = hasHeader ? columns.findIndex((name, c) => !skipped[c] && TIME_NAME.test(name)) : -1;
  if (timeColumn < 0) timeColumn = !hasHeader && width >= 2 && strictlyIncreasing(values[0]) ? 0 : undefined;
  const table: SensorTable = { file, columns, hasHeader, delimiter, values, rows: rowCount };
  if (timeColumn !== undefined) {
    table.timeColumn = timeColumn;
    const unit = timeUnitOf(columns[timeColumn]);
    if (unit !== undefined) table.timeUnit = unit;
  }
  return table;
}

/** Names of the columns that can be channels: numeric, not the time column, not a label/subject column. */
export function channelCandidates(table: SensorTable): string[] {
  return table.columns.filter((name, c) => c !== table.timeColumn && !NOT_CHANNELS.test(name) && table.values[c].length === table.rows);
}
