import { normalisePostcode } from './rules.ts';

/** Pure rules for the postcode → IMD decile CSV an administrator imports. */

export interface ImdRow {
  /** Upper case without spaces, the table's key. */
  postcode: string;
  decile: number;
}

export type ImdParse = { ok: true; rows: ImdRow[] } | { ok: false; errors: string[]; problems: number };

/** An import refused for hundreds of bad rows lists only the first few: enough to see what is wrong with the file. */
export const MAX_LISTED_PROBLEMS = 20;
export const COLUMNS_MESSAGE = 'The file must have a postcode column and a decile column';
export const NO_ROWS_MESSAGE = 'The file must have at least one row with a postcode and a decile';

/** The table's key for a postcode, or undefined when it is not a real postcode (the registry's own rule). */
export function imdKey(postcode: string): string | undefined {
  return normalisePostcode(postcode)?.replace(' ', '');
}

/** ONS postcode directory names for the postcode field (pcds is the one with a single space). */
const POSTCODE_NAMES = new Set(['postcode', 'pcd', 'pcd2', 'pcds', 'pcd7', 'pcd8']);

/**
 * Finds the postcode and decile columns by their headings. The published files carry a decile for every domain
 * (income, employment…), so a heading naming the overall index is preferred to the first "decile" found.
 */
export function findColumns(header: string[]): { postcode: number; decile: number } | undefined {
  const names = header.map((h) => h.trim().toLowerCase());
  const exact = names.findIndex((n) => POSTCODE_NAMES.has(n));
  const postcode = exact >= 0 ? exact : names.findIndex((n) => n.includes('postcode'));
  const deciles = names.map((n, i) => ({ n, i })).filter(({ n, i }) => n.includes('decile') && i !== postcode);
  const overall = deciles.find(({ n }) => n.includes('index of multiple deprivation') || /\bimd\b/.test(n));
  const decile = (overall ?? deciles[0])?.i;
  if (postcode < 0 || decile === undefined) return undefined;
  return { postcode, decile };
}

export interface CsvRecord {
  /** The line of the file the record starts on (1 is the header). */
  line: number;
  fields: string[];
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

/**
 * Splits CSV text (RFC 4180: quoted fields, doubled quotes, CRLF or LF, a UTF-8 byte-order mark) into records.
 * Takes the text in chunks so a caller can feed a file piece by piece; a quote, CRLF or field may span chunks.
 */
export function* csvRecords(input: string | Iterable<string>): Generator<CsvRecord> {
  const chunks = typeof input === 'string' ? [input] : input;
  let fields: string[] = [];
  let field = '';
  // 'start' before a field's first character; 'closed' just after a quote that may end a quoted field.
  let state: 'start' | 'plain' | 'quoted' | 'closed' = 'start';
  let line = 1;
  let recordLine = 1;
  let afterCr = false;
  let quotedCr = false;
  let first = true;
  const endRecord = function* () {
    fields.push(field);
    yield { line: recordLine, fields };
    fields = [];
    field = '';
    state = 'start';
  };
  for (const chunk of chunks) {
    let i = 0;
    if (first && chunk.length) {
      first = false;
      if (chunk.charCodeAt(0) === 0xfeff) i = 1;
    }
    while (i < chunk.length) {
      const c = chunk.charCodeAt(i);
      if (afterCr) {
        afterCr = false;
        if (c === LF) {
          i++;
          continue;
        }
      }
      if (state === 'quoted') {
        const q = chunk.indexOf('"', i);
        const end = q < 0 ? chunk.length : q;
        for (let k = i; k < end; k++) {
          const d = chunk.charCodeAt(k);
          // CRLF inside a quoted field is one line break, even when a chunk ends between the two.
          if (d === CR || (d === LF && !quotedCr)) line++;
          quotedCr = d === CR;
        }
        field += chunk.slice(i, end);
        if (q < 0) break;
        state = 'closed';
        quotedCr = false;
        i = q + 1;
        continue;
      }
      if (state === 'closed' && c === QUOTE) {
        field += '"';
        state = 'quoted';
        i++;
        continue;
      }
      if (c === COMMA) {
        fields.push(field);
        field = '';
        state = 'start';
        i++;
        continue;
      }
      if (c === CR || c === LF) {
        yield* endRecord();
        line++;
        recordLine = line;
        afterCr = c === CR;
        i++;
        continue;
      }
      if (state === 'start' && c === QUOTE) {
        state = 'quoted';
        i++;
        continue;
      }
      // Plain text, or stray text after a closing quote, kept as it is (as spreadsheets do); a quote inside an
      // unquoted field is an ordinary character.
      let j = i + 1;
      while (j < chunk.length) {
        const d = chunk.charCodeAt(j);
        if (d === COMMA || d === CR || d === LF) break;
        j++;
      }
      field += chunk.slice(i, j);
      state = 'plain';
      i = j;
    }
  }
  if (state !== 'start' || field !== '' || fields.length) yield* endRecord();
}

/**
 * Reads the CSV into rows, checking every row: a real postcode (the registry's rule), a whole-number decile from 1
 * to 10, each postcode once. One bad row refuses the whole file: a half-imported edition would mix two years'
 * deciles without anyone knowing which postcode has which.
 */
export function parseImdCsv(input: string | Iterable<string>): ImdParse {
  const rows: ImdRow[] = [];
  const errors: string[] = [];
  let problems = 0;
  const problem = (line: number, texts: string[]) => {
    problems++;
    if (errors.length < MAX_LISTED_PROBLEMS) errors.push(`Line ${line}: ${texts.join('; ')}`);
  };
  const seen = new Map<string, number>();
  let columns: { postcode: number; decile: number } | undefined;
  let header = true;
  for (const { line, fields } of csvRecords(input)) {
    const blank = fields.every((f) => f.trim() === '');
    if (blank) continue;
    if (header) {
      header = false;
      columns = findColumns(fields);
      if (!columns) return { ok: false, errors: [COLUMNS_MESSAGE], problems: 1 };
      continue;
    }
    const rawPostcode = (fields[columns!.postcode] ?? '').trim();
    const rawDecile = (fields[columns!.decile] ?? '').trim();
    const postcode = rawPostcode ? imdKey(rawPostcode) : undefined;
    const decile = /^\d{1,2}$/.test(rawDecile) ? Number(rawDecile) : NaN;
    const wrong: string[] = [];
    if (!rawPostcode) wrong.push('enter a postcode');
    else if (!postcode) wrong.push('enter a real postcode, for example B9 5SS');
    if (!(decile >= 1 && decile <= 10)) wrong.push('enter a decile from 1 to 10');
    const earlier = postcode ? seen.get(postcode) : undefined;
    if (earlier !== undefined) wrong.push(`remove this postcode: it is already on line ${earlier}`);
    if (wrong.length || !postcode) {
      problem(line, wrong);
      continue;
    }
    seen.set(postcode, line);
    rows.push({ postcode, decile });
  }
  if (!columns) return { ok: false, errors: [COLUMNS_MESSAGE], problems: 1 };
  if (problems) return { ok: false, errors, problems };
  if (!rows.length) return { ok: false, errors: [NO_ROWS_MESSAGE], problems: 1 };
  return { ok: true, rows };
}

/** The sentence that heads a refused import. */
export function refusalMessage(parse: { errors: string[]; problems: number }): string {
  if (!parse.errors[0]?.startsWith('Line ')) return `${parse.errors[0] ?? COLUMNS_MESSAGE}. Nothing was imported.`;
  const rows = parse.problems === 1 ? '1 row with a problem' : `${parse.problems} rows with problems`;
  const listed = parse.problems > parse.errors.length ? ` (the first ${parse.errors.length} are listed)` : '';
  return `The file has ${rows}${listed}. Nothing was imported: correct the file and upload it again.`;
}
