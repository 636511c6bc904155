// LaTeX math building blocks shared by every format that writes math (md, tex, html):
// numbers, vectors, matrices, term-by-term expansions, quantity symbols, escaping.
import { show, shownExact, type Num } from '../numeric/index.js';
import type { Mat, Value, Vec } from '../trace/types.js';

/** A number in LaTeX at `decimals` places (scientific when it would round to 0). */
export function num(x: Num, decimals: number): string {
  const s = show(x, decimals, true);
  if (s.sci) return `${s.sci.mantissa} \\times 10^{${s.sci.exponent}}`;
  return s.text;
}

/** A factor in a product: parenthesised when negative or in scientific notation. */
export function factor(x: Num, decimals: number): string {
  const s = num(x, decimals);
  return s.startsWith('-') || s.includes('\\times') ? `(${s})` : s;
}

type Numeric = Num | Value | Numeric[];

/** Whether every number inside nested lists, vectors, matrices and values passes `test` (stops at the first that fails). */
const every = (v: Numeric, test: (x: Num) => boolean): boolean => {
  if (Array.isArray(v)) return v.every((x) => every(x, test));
  if ('kind' in v) return v.kind === 'scalar' ? test(v.x) : every(v.x, test);
  return test(v);
};

/**
 * `=` when every displayed number is the exact value, `\approx` when any was rounded.
 * `operands`: the numbers are being substituted into a formula, where a hand-rounded
 * number counts as the exact decimal it is (the rounding was shown where it happened).
 */
export function rel(v: Numeric, decimals: number, operands = false): string {
  return every(v, (x) => shownExact(x, decimals, operands)) ? '=' : '\\approx';
}

export function vecm(v: Vec, decimals: number): string {
  return `\\begin{bmatrix} ${v.map((x) => num(x, decimals)).join(' \\\\ ')} \\end{bmatrix}`;
}

/** A row vector (a transposed column). */
export function rowm(v: Vec, decimals: number): string {
  return `\\begin{bmatrix} ${v.map((x) => num(x, decimals)).join(' & ')} \\end{bmatrix}`;
}

export function matm(m: Mat, decimals: number): string {
  return `\\begin{bmatrix} ${m.map((r) => r.map((x) => num(x, decimals)).join(' & ')).join(' \\\\ ')} \\end{bmatrix}`;
}

export function valuem(v: Value, decimals: number): string {
  if (v.kind === 'scalar') return num(v.x, decimals);
  if (v.kind === 'vec') return vecm(v.x, decimals);
  return matm(v.x, decimals);
}

/** A matrix whose entries are written as products a × b. */
export function productMatrix(cells: [Num, Num][][], decimals: number): string {
  return `\\begin{bmatrix} ${cells.map((r) => r.map(([a, b]) => `${num(a, decimals)} \\times ${factor(b, decimals)}`).join(' & ')).join(' \\\\ ')} \\end{bmatrix}`;
}

/** A value as plain text (tables): 0.2260, (0.1, 0.2), [(1, 2); (3, 4)]. */
export function plainText(v: Num | Vec | Mat | Value, decimals: number): string {
  const one = (x: Num) => show(x, decimals).text;
  const vecText = (x: Vec) => (x.length === 1 ? one(x[0]!) : `(${x.map(one).join(', ')})`);
  if (Array.isArray(v)) return Array.isArray(v[0]) ? `[${(v as Mat).map(vecText).join('; ')}]` : vecText(v as Vec);
  if ('kind' in v) return v.kind === 'scalar' ? one(v.x) : plainText(v.x, decimals);
  return one(v);
}

/** a₁ × b₁ + a₂ × b₂ + … */
export function products(terms: [Num, Num][], decimals: number): string {
  return terms
    .map(([a, b], i) => {
      const first = num(a, decimals);
      // a negative first factor after the first term is written as a subtraction: … − 0.3 × 0.29
      const lead = i === 0 ? first : first.startsWith('-') ? ` - ${first.slice(1)}` : ` + ${first}`;
      return `${lead} \\times ${factor(b, decimals)}`;
    })
    .join('');
}

/** Plain text inside math: \text{…} with LaTeX's special characters escaped. */
export function mathText(s: string): string {
  return `\\text{${escapeLatexText(s)}}`;
}

/** LaTeX's ten reserved characters, each as text that prints it (in text mode and in \text{…}) */
export const LATEX_RESERVED: Readonly<Record<string, string>> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  $: '\\$',
  '&': '\\&',
  '#': '\\#',
  '^': '\\textasciicircum{}',
  _: '\\_',
  '~': '\\textasciitilde{}',
  '%': '\\%',
};

const LATEX_SPECIAL: Record<string, string> = {
  ...LATEX_RESERVED,
  // a literal backtick would open a Markdown code span in the middle of the math
  '`': '\\char"60{}',
};

export function escapeLatexText(s: string): string {
  return s.replace(/[\\{}$&#^_~%`]/g, (c) => LATEX_SPECIAL[c]!);
}
