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

export function formatProblem(p: InputProblem): string {
  const where = p.pos ? `${p.file}:${p.pos.line}:${p.pos.col}` : p.file;
  const field = p.field ? ` ${p.field}:` : '';
  return `${where}:${field} ${p.message}`;
}

/** Thrown for any bad input or usage; the CLI prints each problem on one line and exits 2. */
export class InputError extends Error {
  readonly problems: InputProblem[];
  constructor(problems: InputProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'InputError';
    this.problems = problems;
  }

  static one(file: string, field: string | null, message: string, pos: Position | null = null): InputError {
    return new InputError([{ file, field, pos, message }]);
  }
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** Up to three candidates close to `word`, closest first. */
export function closest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const limit = Math.max(2, Math.floor(word.length / 2));
  return [...candidates]
    .map((c) => ({ c, d: editDistance(word.toLowerCase(), c.toLowerCase()) }))
    .filter((x) => x.d <= limit)
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c))
    .slice(0, max)
    .map((x) => x.c);
}

export function didYouMean(word: string, candidates: Iterable<string>): string {
  const near = closest(word, candidates);
  return near.length ? ` (did you mean ${near.map((c) => `"${c}"`).join(' or ')}?)` : '';
}
