// The roster of `unrolled handout --students`: a real CSV parser, header variants, and
// one InputError line per problem with the line of the row in the file.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/problem/errors.js';
import { parseRoster, readRoster, MAX_STUDENTS } from '../../src/handout/roster.js';

const F = 'roster.csv';
const RULE = 'letters, digits, ".", "_", "-", "@" and "+", 1–64 characters, not starting with "." or "-" (the id names the student\'s files)';

/** the error's lines, as the CLI prints them */
function errorOf(text: string): string[] {
  try {
    parseRoster(text, F);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).message.split('\n');
  }
  throw new Error('expected an InputError');
}

describe('parseRoster: CSV', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, and counts lines as an editor does', () => {
    const text = [
      'id,name',
      's1,"Smith, Anna"',
      's2,"Dwayne ""The Rock"" Johnson"',
      's3,"Multi',
      'Line"',
      '',
      's4,Plain',
      '',
    ].join('\n');
    expect(parseRoster(text, F)).toEqual([
      { id: 's1', name: 'Smith, Anna', line: 2 },
      { id: 's2', name: 'Dwayne "The Rock" Johnson', line: 3 },
      // the line break inside the name is a space: names go into headers and titles
      { id: 's3', name: 'Multi Line', line: 4 },
      { id: 's4', name: 'Plain', line: 7 },
    ]);
  });

  it('drops a UTF-8 BOM, reads CRLF, skips blank lines and trims spaces around fields', () => {
    const text = '\uFEFFid,name\r\n\r\n  s1  ,  Ann Lee  \r\n   \r\ns2,"Bo, B"\r\ns3,\r\n';
    expect(parseRoster(text, F)).toEqual([
      { id: 's1', name: 'Ann Lee', line: 3 },
      { id: 's2', name: 'Bo, B', line: 5 },
      { id: 's3', name: null, line: 6 },
    ]);
  });

  it('counts a CRLF inside a quoted field as one line break (the parser itself counts two)', () => {
    const text = 'id,name\r\ns1,"a\r\nb"\r\ns2,x,y\r\n';
    expect(errorOf(text)).toEqual([
      `${F}:4:1: 3 fields, but the header on line 1 has 2; give every row the header's columns, and quote a field that contains a comma ("Smith, Anna")`,
    ]);
  });

  it('a row with another number of fields: its line, after a quoted field over three lines', () => {
    const text = ['id,name,email', 's1,"Anna', 'von', 'Smith",a@x', 's2,Bob', 's3,Cy,c@x,extra', 's4,Di,d@x'].join('\n');
    expect(errorOf(text)).toEqual([
      `${F}:5:1: 2 fields, but the header on line 1 has 3; give every row the header's columns, and quote a field that contains a comma ("Smith, Anna")`,
      `${F}:6:1: 4 fields, but the header on line 1 has 3; give every row the header's columns, and quote a field that contains a comma ("Smith, Anna")`,
    ]);
  });

  it('an unclosed quote stops parsing: one line, at the row where the quote opens', () => {
    const text = ['id,name', 's/1,Ann', 's2,"Bob', 's3,Cy', 's4,Di'].join('\n');
    expect(errorOf(text)).toEqual([
      `${F}:3:1: invalid CSV: a quote opened in this row is never closed; end a quoted field with " and write a quote inside it as ""`,
    ]);
  });

  it('text after a closing quote, and a quote inside an unquoted field', () => {
    expect(errorOf('id,name\ns1,Ann\ns2,"Bob"by\n')).toEqual([
      `${F}:3:1: invalid CSV: a quoted field goes on after its closing quote; a quoted field must end at a comma or the end of the line, and a quote inside it is written as ""`,
    ]);
    expect(errorOf('id,name\n\ns1,Ann\ns2,Bo"b\n')).toEqual([
      `${F}:4:1: invalid CSV: a quote in the middle of an unquoted field; put the whole field in quotes and double the quote inside ("say ""hi""")`,
    ]);
  });

  it('an empty roster: no students', () => {
    expect(errorOf('')).toEqual([`${F}: no students: the file is empty; expected a header line such as "id,name" and then one line per student`]);
    expect(errorOf('\n\n  \n')).toEqual([`${F}: no students: the file is empty; expected a header line such as "id,name" and then one line per student`]);
    expect(errorOf('\uFEFFid,name\r\n\r\n')).toEqual([`${F}: no students: only the header on line 1; expected one line per student after it`]);
  });

  it(`more than ${MAX_STUDENTS} students`, () => {
    const rows = Array.from({ length: MAX_STUDENTS }, (_, i) => `s${i}`);
    expect(parseRoster(['id', ...rows].join('\n'), F)).toHaveLength(MAX_STUDENTS);
    expect(errorOf(['id', ...rows, 'one_more'].join('\n'))).toEqual([`${F}: more than ${MAX_STUDENTS} students; make the handouts of a roster this large in parts`]);
  });
});

describe('parseRoster: header', () => {
  it('finds the id and name columns in any case and place, ignoring other columns', () => {
    const text = 'Email,Student_Name,Section,STUDENT_ID\na@x.org,Ann,1,u1\nb@x.org,Bob,2,u2\n';
    expect(parseRoster(text, F)).toEqual([
      { id: 'u1', name: 'Ann', line: 2 },
      { id: 'u2', name: 'Bob', line: 3 },
    ]);
  });

  it.each([['id'], ['ID'], ['Student'], ['student_id'], ['StudentID'], ['Student ID']])('accepts the id column %j', (h) => {
    expect(parseRoster(`${h}\nx1\n`, F)).toEqual([{ id: 'x1', name: null, line: 2 }]);
  });

  it('prefers student_id to id, and id to student', () => {
    expect(parseRoster('student,id,student_id\nAnn,7,u1\n', F)).toEqual([{ id: 'u1', name: null, line: 2 }]);
    expect(parseRoster('Student,ID\nAnn,7\n', F)).toEqual([{ id: '7', name: null, line: 2 }]);
  });

  it('combines first and last (or given and family) names as "First Last"', () => {
    expect(parseRoster('id,last_name,first_name\ns1,Smith,Anna\ns2,Madonna,\ns3,,\n', F)).toEqual([
      { id: 's1', name: 'Anna Smith', line: 2 },
      { id: 's2', name: 'Madonna', line: 3 },
      { id: 's3', name: null, line: 4 },
    ]);
    expect(parseRoster('Given Name,Family Name,id\n"Jean Luc",Picard,s1\n', F)).toEqual([{ id: 's1', name: 'Jean Luc Picard', line: 2 }]);
    // a full name column wins over the parts
    expect(parseRoster('id,name,first_name,last_name\ns1,Anna Smith,A,S\n', F)).toEqual([{ id: 's1', name: 'Anna Smith', line: 2 }]);
  });

  it('no id column: one line at the header, with the accepted names and a did-you-mean', () => {
    expect(errorOf('\nname,stduent_id\nAnn,s1\n')).toEqual([
      `${F}:2:1: no id column: column "stduent_id" is not an id column (did you mean "student_id" or "studentid"?); expected the first line to be a header with a column named id, student, student_id or studentid (any case), and optionally name`,
    ]);
    expect(errorOf('name,email\nAnn,a@x\nBob,\n')).toEqual([
      `${F}:1:1: no id column: the header has "name", "email"; expected the first line to be a header with a column named id, student, student_id or studentid (any case), and optionally name`,
    ]);
  });

  it('no id column in a semicolon-separated file: says so', () => {
    expect(errorOf('ident;name\ns1;Ann\n')).toEqual([
      `${F}:1:1: no id column: the header has "ident;name" (the columns seem separated by ";": save the roster as comma-separated CSV); expected the first line to be a header with a column named id, student, student_id or studentid (any case), and optionally name`,
    ]);
  });
});

describe('parseRoster: ids', () => {
  it('accepts letters of any script, digits, . _ - @ +, and normalizes to NFC', () => {
    const ids = ['Zoë.Ä-1', 'müller_2', 'anna@uni.edu', 'a+b', '_x', 'Ελένη', '学生7', 'e\u0301mile'];
    const got = parseRoster(['id', ...ids].join('\n'), F).map((s) => s.id);
    expect(got).toEqual([...ids.slice(0, -1), '\u00e9mile']);
  });

  it('an empty id, bad characters, a bad start and a long id: every one reported, one line each', () => {
    const text = ['id,name', ',Ann', 's/2,Bob', 'a b:c,Cy', '.hidden,Di', '-x,Ed', 'x'.repeat(65) + ',Flo', 'ok,Gus', '"../etc",Hal'].join('\n');
    expect(errorOf(text)).toEqual([
      `${F}:2:1: id: empty; every student needs an id: ${RULE}`,
      `${F}:3:1: id: "s/2" has "/"; an id may have only ${RULE}`,
      `${F}:4:1: id: "a b:c" has a space and ":"; an id may have only ${RULE}`,
      `${F}:5:1: id: ".hidden" starts with "."; an id may have only ${RULE}`,
      `${F}:6:1: id: "-x" starts with "-"; an id may have only ${RULE}`,
      `${F}:7:1: id: 65 characters, longer than 64; an id may have only ${RULE}`,
      `${F}:9:1: id: "../etc" has "/"; an id may have only ${RULE}`,
    ]);
  });

  it('names the id column as the header writes it', () => {
    expect(errorOf('Student ID\nok\n\n"a/b"\n')).toEqual([`${F}:4:1: Student ID: "a/b" has "/"; an id may have only ${RULE}`]);
  });

  it('a duplicate id, ignoring case: names both lines', () => {
    const text = ['id,name', 'Anna,A', 'bob,"B', 'b"', 'ANNA,C', 'BOB,D', 'anna,E'].join('\n');
    expect(errorOf(text)).toEqual([
      `${F}:5:1: id: "ANNA" is the id on line 2 too (ids are compared ignoring case: they name files, and file systems may ignore case); give every student a different id`,
      `${F}:6:1: id: "BOB" is the id on line 3 too (ids are compared ignoring case: they name files, and file systems may ignore case); give every student a different id`,
      `${F}:7:1: id: "anna" is the id on line 2 too (ids are compared ignoring case: they name files, and file systems may ignore case); give every student a different id`,
    ]);
  });

  it('keeps the problems structured: file, field, position', () => {
    try {
      parseRoster('id\nx/y\n', F);
      throw new Error('expected an InputError');
    } catch (e) {
      expect((e as InputError).problems).toEqual([{ file: F, field: 'id', pos: { line: 2, col: 1 }, message: `"x/y" has "/"; an id may have only ${RULE}` }]);
    }
  });
});

describe('readRoster', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'unrolled-roster-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string | Buffer) => {
    const f = join(dir, name);
    writeFileSync(f, content);
    return f;
  };
  const readError = (f: string) => {
    try {
      readRoster(f);
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      return (e as InputError).message;
    }
    throw new Error('expected an InputError');
  };

  it('reads an Excel "CSV UTF-8" file: BOM, CRLF, quoted names', () => {
    const f = file('excel.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('ID,Name\r\n001,"Müller, Jürgen"\r\n002,Zoë\r\n')]));
    expect(readRoster(f)).toEqual([
      { id: '001', name: 'Müller, Jürgen', line: 2 },
      { id: '002', name: 'Zoë', line: 3 },
    ]);
  });

  it('reports errors with the path given', () => {
    const f = file('dup.csv', 'id\na\nA\n');
    expect(readError(f)).toBe(`${f}:3:1: id: "A" is the id on line 2 too (ids are compared ignoring case: they name files, and file systems may ignore case); give every student a different id`);
  });

  it('a missing file, a directory, UTF-16 and Latin-1 files: one line naming the file', () => {
    const missing = join(dir, 'nope.csv');
    expect(readError(missing)).toBe(`${missing}: no such file`);
    const sub = join(dir, 'sub.csv');
    mkdirSync(sub);
    expect(readError(sub)).toBe(`${sub}: is a directory, expected a roster file (.csv)`);
    const utf16 = file('utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id\r\ns1\r\n', 'utf16le')]));
    expect(readError(utf16)).toBe(`${utf16}: is UTF-16 text; save the roster as CSV in UTF-8 (in Excel: "CSV UTF-8 (Comma delimited)")`);
    const latin1 = file('latin1.csv', Buffer.from('id,name\ns1,M\xfcller\n', 'latin1'));
    expect(readError(latin1)).toBe(`${latin1}: is not UTF-8 text; save the roster as CSV in UTF-8 (in Excel: "CSV UTF-8 (Comma delimited)")`);
  });
});
