// Bad input: one line per problem — file, position, field, what is wrong, what is expected.

export interface Position {
  line: number;
  col: number;
}

export interface InputProblem {
  file: string;
  field: string | null;
  pos: Position | null;
  message: string;
}

/**
 * Text from the file (a key, a value) kept on one line: line breaks and other control
 * characters written as escapes, and a very long run shortened.
 */
export function oneLine(s: string, max = 200): string {
  const t = s.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => ({ '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

/** A problem as it is shown: the field and the message on one line, a long field shortened. */
function shown(p: InputProblem): InputProblem {
  return { ...p, file: oneLine(p.file, 1000), field: p.field === null ? null : oneLine(p.field, 120), message: oneLine(p.message, 1000) };
}

export function formatProblem(problem: InputProblem): string {
  const p = shown(problem);
  const where = p.pos ? `${p.file}:${p.pos.line}:${p.pos.col}` : p.file;
  return `${where}:${p.field ? ` ${p.field}:` : ''} ${p.message}`;
}

/** Thrown for any bad input or usage; the CLI prints each problem on one line and exits 2. */
export class InputError extends Error {
  readonly problems: InputProblem[];
  constructor(problems: InputProblem[]) {
    const all = problems.map(shown);
    super(all.map(formatProblem).join('\n'));
    this.name = 'InputError';
    // kept as shown, so that a problem's field is the one its line names
    this.problems = all;
  }

  static one(file: string, field: string | null, message: string, pos: Position | null = null): InputError {
    return new InputError([{ file, field, pos, message }]);
  }
}

/**
 * A command-line flag that takes a whole number from lo to hi; `hint` is added to the
 * message (why the range is what it is). Never prints NaN.
 */
export function checkInt(flag: string, v: number, [lo, hi]: readonly [number, number], hint = ''): void {
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw InputError.one(`--${flag}`, null, `expected a whole number from ${lo} to ${hi}, got ${Number.isNaN(v) ? 'something that is not a number' : v}${hint}`);
  }
}

/** Edit distance counting a swap of two neighbours as one edit (W_hx → W_xh), for "did you mean". */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

const sorted = (s: string) => [...s.toLowerCase()].sort().join('');

/** Up to three candidates close to `word`, closest first. */
export function closest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const limit = Math.max(2, Math.floor(word.length / 2));
  return [...candidates]
    .map((c) => ({ c, d: editDistance(word.toLowerCase(), c.toLowerCase()), anagram: sorted(c) === sorted(word) }))
    .filter((x) => x.d <= limit)
    // among equally close candidates, the same letters in another order are the likeliest slip
    .sort((x, y) => x.d - y.d || Number(y.anagram) - Number(x.anagram) || x.c.localeCompare(y.c))
    // a far candidate next to a near one is noise: hiden_size is hidden_size, not input_size
    .filter((x, _, all) => x.d <= all[0]!.d + 1)
    .slice(0, max)
    .map((x) => x.c);
}

export function didYouMean(word: string, candidates: Iterable<string>): string {
  const near = closest(word, candidates);
  return near.length ? ` (did you mean ${near.map((c) => `"${c}"`).join(' or ')}?)` : '';
}
