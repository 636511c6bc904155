// The roster of `unrolled handout --students roster.csv`: a CSV file with a header line,
// an id column (the student's files are named after it) and optionally a name column (or
// first and last name columns). Every problem is one InputError line with the line of
// the row in the file, counted as an editor counts them (quoted fields may span lines).
import { readFileSync, statSync } from 'node:fs';
import { parse, CsvError } from 'csv-parse/sync';
import { InputError, closest, didYouMean, type InputProblem } from '../problem/errors.js';

export interface Student {
  id: string;
  name: string | null;
  /** the line of the student's row in the roster, 1-based */
  line: number;
}

export const MAX_STUDENTS = 10_000;
/** a roster of MAX_STUDENTS with a few dozen other columns stays well under this */
const MAX_BYTES = 32 * 1024 * 1024;
export const MAX_ID_LENGTH = 64;
export const MAX_NAME_LENGTH = 200;

// accepted column names, in order of preference when several are present; a header is
// compared ignoring case, spaces, `_` and `-` (`Student ID` is `student_id`)
const ID_COLUMNS = ['student_id', 'studentid', 'id', 'student'];
const NAME_COLUMNS = ['student_name', 'name'];
const GIVEN_COLUMNS = ['first_name', 'given_name'];
const FAMILY_COLUMNS = ['last_name', 'family_name'];
const key = (h: string) => h.trim().toLowerCase().replace(/[\s_-]+/g, '');

const ID_CHARS = /^[\p{L}\p{M}\p{Nd}._@+-]+$/u;
const ID_RULE = `letters, digits, ".", "_", "-", "@" and "+", 1–${MAX_ID_LENGTH} characters, not starting with "." or "-" (the id names the student's files)`;

/** Read and check a roster; every problem is one InputError line `roster.csv:LINE:1: column: what is wrong, what is expected`. */
export function readRoster(file: string): Student[] {
  let bytes: Buffer;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw InputError.one(file, null, 'is a directory, expected a roster file (.csv)');
    if (st.size > MAX_BYTES) throw InputError.one(file, null, `is larger than ${MAX_BYTES / 1024 / 1024} MB; expected a roster CSV of at most ${MAX_STUDENTS} students`);
    bytes = readFileSync(file);
  } catch (e) {
    if (e instanceof InputError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw InputError.one(file, null, 'no such file');
    if (err.code === 'EACCES') throw InputError.one(file, null, 'permission denied');
    throw InputError.one(file, null, `cannot read: ${err.message}`);
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw InputError.one(file, null, 'is UTF-16 text; save the roster as CSV in UTF-8 (in Excel: "CSV UTF-8 (Comma delimited)")');
  }
  let text: string;
  try {
    // a UTF-8 byte order mark (Excel's "CSV UTF-8") is dropped here
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw InputError.one(file, null, 'is not UTF-8 text; save the roster as CSV in UTF-8 (in Excel: "CSV UTF-8 (Comma delimited)")');
  }
  return parseRoster(text, file);
}

/** Line numbers of UTF-8 byte offsets in `text` (line breaks: \n, \r\n or a lone \r). */
function lineFinder(text: string) {
  const buf = Buffer.from(text, 'utf8');
  const starts = [0];
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b === 0x0a || (b === 0x0d && buf[i + 1] !== 0x0a)) starts.push(i + 1);
  }
  /** the line of the first character at or after `offset` that is not blank (or a BOM) */
  return (offset: number): number => {
    let o = offset;
    if (o === 0 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) o = 3;
    while (o < buf.length && (buf[o] === 0x20 || buf[o] === 0x09 || buf[o] === 0x0a || buf[o] === 0x0d)) o++;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

function syntaxMessage(e: CsvError): string {
  switch (e.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'invalid CSV: a quote opened in this row is never closed; end a quoted field with " and write a quote inside it as ""';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'invalid CSV: a quoted field goes on after its closing quote; a quoted field must end at a comma or the end of the line, and a quote inside it is written as ""';
    case 'INVALID_OPENING_QUOTE':
      return 'invalid CSV: a quote in the middle of an unquoted field; put the whole field in quotes and double the quote inside ("say ""hi""")';
    case 'CSV_MAX_RECORD_SIZE':
      return 'invalid CSV: a row longer than 128000 characters, probably an unclosed quote; expected one short row per student';
    default:
      return `invalid CSV: ${e.message.replace(/ (at|on) line \d+.*$/s, '')}`;
  }
}

const quoted = (s: string) => JSON.stringify(s);
const list = (names: string[]) => names.slice(0, -1).join(', ') + ' or ' + names[names.length - 1];

export function parseRoster(text: string, file: string): Student[] {
  const lineOf = lineFinder(text);
  const at = (line: number) => ({ line, col: 1 });
  // the end (a UTF-8 byte offset) of every record, header included
  const ends: number[] = [];
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      skip_empty_lines: true,
      trim: true,
      // a row with too many or too few fields is reported with the others, not as a stop
      relax_column_count: true,
      // the header, the students and one more: enough to tell there are too many
      to: MAX_STUDENTS + 2,
      on_record: (record, ctx) => {
        ends.push(ctx.bytes);
        return record;
      },
    });
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    // the row that failed starts after the last one read; the parser's own line count
    // is off after a quoted field with \r\n in it, so it is not used
    const line = lineOf(ends.length ? ends[ends.length - 1]! : 0);
    throw InputError.one(file, null, syntaxMessage(e), at(line));
  }
  const startOf = (i: number) => lineOf(i === 0 ? 0 : ends[i - 1]!);

  if (records.length === 0) throw InputError.one(file, null, 'no students: the file is empty; expected a header line such as "id,name" and then one line per student');
  const header = records[0]!.map((h) => h.trim());
  const headerLine = startOf(0);
  if (records.length === 1) throw InputError.one(file, null, `no students: only the header on line ${headerLine}; expected one line per student after it`);
  if (records.length > MAX_STUDENTS + 1) throw InputError.one(file, null, `more than ${MAX_STUDENTS} students; make the handouts of a roster this large in parts`);

  const column = (names: string[]): number => {
    for (const n of names) {
      const i = header.findIndex((h) => key(h) === key(n));
      if (i >= 0) return i;
    }
    return -1;
  };
  const idCol = column(ID_COLUMNS);
  if (idCol < 0) {
    const accepted = ['id', 'student', 'student_id', 'studentid'];
    const near = header.find((h) => h !== '' && closest(h.toLowerCase(), accepted).length > 0);
    const found = header.filter((h) => h !== '');
    const sep = header.length === 1 && /[;\t|]/.test(header[0]!) ? ` (the columns seem separated by ${quoted(header[0]!.match(/[;\t|]/)![0])}: save the roster as comma-separated CSV)` : '';
    const what = near !== undefined
      ? `column ${quoted(near)} is not an id column${didYouMean(near.toLowerCase(), accepted)}`
      : found.length ? `the header has ${found.map(quoted).join(', ')}${sep}` : 'the header is empty';
    throw InputError.one(file, null, `no id column: ${what}; expected the first line to be a header with a column named ${list(accepted)} (any case), and optionally name`, at(headerLine));
  }
  const nameCol = column(NAME_COLUMNS);
  const givenCol = nameCol < 0 ? column(GIVEN_COLUMNS) : -1;
  const familyCol = nameCol < 0 ? column(FAMILY_COLUMNS) : -1;
  const idField = header[idCol] || 'id';

  const problems: InputProblem[] = [];
  const students: Student[] = [];
  const seen = new Map<string, number>();
  // names go into file headers and page titles: line breaks and control characters are spaces
  const clean = (s: string | undefined) => (s ?? '').replace(/[\s\p{Cc}]+/gu, ' ').trim();
  for (let i = 1; i < records.length; i++) {
    const record = records[i]!;
    const line = startOf(i);
    const problem = (field: string | null, message: string) => problems.push({ file, field, pos: at(line), message });
    if (record.length !== header.length) {
      problem(null, `${record.length} field${record.length === 1 ? '' : 's'}, but the header on line ${headerLine} has ${header.length}; give every row the header's columns, and quote a field that contains a comma ("Smith, Anna")`);
      continue;
    }
    const id = record[idCol]!.trim().normalize('NFC');
    if (id === '') {
      problem(idField, `empty; every student needs an id: ${ID_RULE}`);
      continue;
    }
    const length = [...id].length;
    if (!ID_CHARS.test(id)) {
      const bad = [...new Set([...id].filter((c) => !ID_CHARS.test(c)))].map((c) => (/\s/.test(c) ? 'a space' : quoted(c)));
      problem(idField, `${quoted(id)} has ${bad.length > 1 ? `${bad.slice(0, -1).join(', ')} and ${bad[bad.length - 1]}` : bad[0]}; an id may have only ${ID_RULE}`);
      continue;
    }
    if (/^[.-]/.test(id) || /^\p{M}/u.test(id)) {
      problem(idField, `${quoted(id)} starts with ${quoted([...id][0]!)}; an id may have only ${ID_RULE}`);
      continue;
    }
    if (length > MAX_ID_LENGTH) {
      problem(idField, `${length} characters, longer than ${MAX_ID_LENGTH}; an id may have only ${ID_RULE}`);
      continue;
    }
    const folded = id.toLowerCase();
    const first = seen.get(folded);
    if (first !== undefined) {
      problem(idField, `${quoted(id)} is the id on line ${first} too (ids are compared ignoring case: they name files, and file systems may ignore case); give every student a different id`);
      continue;
    }
    seen.set(folded, line);

    let name: string | null;
    let nameField: string;
    if (nameCol >= 0) {
      name = clean(record[nameCol]);
      nameField = header[nameCol]!;
    } else {
      name = [givenCol, familyCol].filter((c) => c >= 0).map((c) => clean(record[c])).filter((s) => s !== '').join(' ');
      nameField = [givenCol, familyCol].filter((c) => c >= 0).map((c) => header[c]!).join('+') || 'name';
    }
    if ([...name].length > MAX_NAME_LENGTH) {
      problem(nameField, `${[...name].length} characters, longer than ${MAX_NAME_LENGTH}; expected the student's name`);
      continue;
    }
    students.push({ id, name: name === '' ? null : name, line });
  }
  if (problems.length) throw new InputError(problems);
  return students;
}
