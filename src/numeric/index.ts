// The one module that owns mathjs. Every number in unrolled is a `Num`: a mathjs
// BigNumber (decimal.js) plus a flag saying whether it is the exact value.
//
// Exact values stay exact: sums and products of exact operands are computed without
// rounding (a decimal.js clone whose precision is effectively unbounded). As soon as an
// operand is inexact, or the operation is transcendental (tanh, exp, log, ...) or a
// division that does not terminate, the result is rounded to the working precision and
// marked inexact. That flag is what lets a solution write `=` or `≈` truthfully.
import * as elementary from './elementary.js';
import { create, bignumberDependencies, expDependencies, logDependencies, tanhDependencies, type BigNumber, type MathJsInstance } from 'mathjs';

export type Big = BigNumber;

export interface Num {
  readonly v: Big;
  readonly exact: boolean;
  /**
   * Set by hand arithmetic (`round`): `v` is an exact decimal obtained by rounding the
   * computed value, so the step that produced it writes `≈`, while later arithmetic on `v`
   * is exact.
   */
  readonly rounded?: boolean;
}

/** The decimal.js constructor mathjs configures (`math.BigNumber`), which mathjs's types omit. */
interface BigCtor {
  new (x: string | number | Big): Big;
  clone(config: object): BigCtor;
  readonly precision: number;
  readonly rounding: Parameters<Big['toSD']>[1];
}

/** Decimal literal: 0.1, -2.5e-3, .5, 3. — the only number syntax accepted in problem files. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** A fraction of two decimal literals, as a string: "1/3", "-2.5/4". */
const FRACTION = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*\/\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))$/;
/** Exponents beyond this are refused: they are never meant, and they cost digits. */
export const MAX_EXPONENT = 1000;

export class NumberSyntaxError extends Error {}

const cache = new Map<number, Numeric>();

/**
 * x = 1 exactly, read from decimal.js's sign, exponent and digits (it keeps 1 as s = 1,
 * e = 0, d = [1]): `x.eq(1)` would make a new Decimal on every multiplication by a weight.
 */
function isOne(x: Big): boolean {
  const { s, e, d } = x as unknown as { s: number; e: number; d: number[] | null };
  return s === 1 && e === 0 && d !== null && d.length === 1 && d[0] === 1;
}

/** The same number without the hand-rounding mark (a result of arithmetic, not of rounding). */
const plain = (x: Num): Num => (x.rounded ? { v: x.v, exact: x.exact } : x);

/** Arithmetic at a given working precision (significant digits). */
export class Numeric {
  readonly precision: number;
  readonly math: MathJsInstance;
  private readonly Work: BigCtor;
  private readonly Exact: BigCtor;
  readonly zero: Num;
  readonly one: Num;

  static at(precision: number): Numeric {
    let n = cache.get(precision);
    if (!n) {
      n = new Numeric(precision);
      cache.set(precision, n);
    }
    return n;
  }

  private constructor(precision: number) {
    this.precision = precision;
    // only the functions used: with the bundler's tree shaking, the rest of mathjs is never loaded
    this.math = create({ bignumberDependencies, tanhDependencies, expDependencies, logDependencies }, { number: 'BigNumber', precision }) as MathJsInstance;
    this.Work = (this.math as unknown as { BigNumber: BigCtor }).BigNumber;
    // decimal.js rounds ROUND_HALF_UP (4) by default: half away from zero, as taught in school.
    this.Exact = this.Work.clone({ precision: 1e9, rounding: 4 });
    this.zero = this.exact('0');
    this.one = this.exact('1');
  }

  /** An exact number from decimal text (already validated). */
  exact(text: string): Num {
    return { v: new this.Exact(text), exact: true };
  }

  /** Parse user text: a decimal literal or a fraction "a/b". Throws NumberSyntaxError. */
  parse(text: string): Num {
    const s = text.trim();
    const d = DECIMAL.exec(s);
    if (d) return this.checkedExact(s);
    const f = FRACTION.exec(s);
    if (f) {
      const a = this.checkedExact(f[1]!);
      const b = this.checkedExact(f[2]!);
      if (b.v.isZero()) throw new NumberSyntaxError(`"${text}" divides by zero`);
      return this.div(a, b);
    }
    throw new NumberSyntaxError(
      `"${text}" is not a number (expected a decimal such as 0.25 or -2.5e-3, or a fraction such as "1/3")`,
    );
  }

  private checkedExact(s: string): Num {
    const m = /[eE]([+-]?\d+)$/.exec(s);
    if (m && Math.abs(Number(m[1])) > MAX_EXPONENT) {
      throw new NumberSyntaxError(`"${s}" has an exponent beyond ±${MAX_EXPONENT}`);
    }
    return this.exact(s);
  }

  /** A value known only to working precision (e.g. computed elsewhere). */
  inexact(v: Big): Num {
    return { v: new this.Work(v).toSD(this.precision), exact: false };
  }

  add(a: Num, b: Num): Num {
    if (a.exact && b.exact) return { v: this.asExact(a.v).plus(b.v), exact: true };
    if (a.exact && a.v.isZero()) return plain(b);
    if (b.exact && b.v.isZero()) return plain(a);
    // a + b = b + a exactly (one rounding of the exact sum): the operand already at working precision carries it
    return { v: b.v.constructor === this.Work ? b.v.plus(a.v) : this.asWork(a.v).plus(b.v), exact: false };
  }

  /**
   * x as an operand whose arithmetic rounds to the working precision (decimal.js rounds to
   * the precision of the left operand's constructor), copied only when it is not one yet:
   * most operands already are, and copies were most of the engine's allocations.
   */
  private asWork(x: Big): Big {
    return x.constructor === this.Work ? x : new this.Work(x);
  }

  /** x as an operand whose arithmetic is exact */
  private asExact(x: Big): Big {
    return x.constructor === this.Exact ? x : new this.Exact(x);
  }

  sub(a: Num, b: Num): Num {
    return this.add(a, this.neg(b));
  }

  neg(a: Num): Num {
    return { v: a.v.neg(), exact: a.exact };
  }

  /** Hand arithmetic: round half away from zero to `decimals` places (flagged when it changed). */
  roundTo(x: Num, decimals: number): Num {
    const r = new this.Exact(x.v).toDecimalPlaces(decimals, 4);
    if (x.exact && r.eq(x.v)) return plain(x);
    return { v: r.isZero() ? new this.Exact(0) : r, exact: true, rounded: true };
  }

  mul(a: Num, b: Num): Num {
    if (a.exact && b.exact) return { v: this.asExact(a.v).times(b.v), exact: true };
    if ((a.exact && a.v.isZero()) || (b.exact && b.v.isZero())) return this.zero;
    if (a.exact && isOne(a.v)) return plain(b);
    if (b.exact && isOne(b.v)) return plain(a);
    return { v: b.v.constructor === this.Work ? b.v.times(a.v) : this.asWork(a.v).times(b.v), exact: false };
  }

  /** a / b: exact when both are exact and the quotient terminates within the precision. */
  div(a: Num, b: Num): Num {
    if (b.v.isZero()) throw new RangeError('division by zero');
    const q = new this.Work(a.v).div(b.v);
    const exact = a.exact && b.exact && new this.Exact(q).times(b.v).eq(a.v);
    return { v: exact ? new this.Exact(q) : q, exact };
  }

  /** √x for x ≥ 0: exact when x is exact and its root terminates within the precision (√0.0625 = 0.25). */
  sqrt(x: Num): Num {
    if (x.v.isNeg() && !x.v.isZero()) throw new RangeError('square root of a negative number');
    const r = new this.Work(x.v).sqrt();
    const exact = x.exact && new this.Exact(r).times(r).eq(x.v);
    return { v: exact ? new this.Exact(r) : r, exact };
  }

  /** Σ terms, left to right. The empty sum is exactly 0. */
  sum(terms: readonly Num[]): Num {
    return terms.reduce((acc, x) => this.add(acc, x), this.zero);
  }

  tanh(x: Num): Num {
    if (x.exact && x.v.isZero()) return this.zero;
    const w = this.asWork(x.v);
    return { v: elementary.tanh(this.Work, w) ?? (this.math.tanh(w) as Big), exact: false };
  }

  exp(x: Num): Num {
    if (x.exact && x.v.isZero()) return this.one;
    const w = this.asWork(x.v);
    return { v: elementary.exp(this.Work, w) ?? (this.math.exp(w) as Big), exact: false };
  }

  /** Natural logarithm; the caller guarantees x > 0. */
  log(x: Num): Num {
    if (x.exact && x.v.eq(1)) return this.zero;
    const w = this.asWork(x.v);
    return { v: elementary.ln(this.Work, w) ?? (this.math.log(w) as Big), exact: false };
  }

  /** σ(x) = 1 / (1 + e^(−x)). σ(0) = 1/2 exactly. */
  sigmoid(x: Num): Num {
    if (x.exact && x.v.isZero()) return this.exact('0.5');
    return this.div(this.one, this.add(this.one, this.exp(this.neg(x))));
  }

  isZero(x: Num): boolean {
    return x.v.isZero();
  }

  /** Full-precision decimal text (JSON output). */
  toString(x: Num): string {
    const s = x.v.toString();
    return s === '-0' ? '0' : s;
  }
}

/** How a number is displayed at `decimals` places, and whether the display is exact. */
export interface Shown {
  text: string;
  /** true when `text` is the value itself, not a rounding of it */
  exact: boolean;
  /** mantissa and exponent when the value is too small for fixed notation */
  sci?: { mantissa: string; exponent: number };
}

/**
 * Display rule: an exact value with at most `decimals` decimal places is shown as it is
 * (0.13, not 0.1300); anything else is rounded half away from zero to `decimals` places.
 * A non-zero value that would round to 0 is shown in scientific notation instead, so that
 * σ(−100) ≈ 3.720e-44 never prints as 0.
 */
export function show(x: Num, decimals: number, asOperand = false): Shown {
  const v = x.v;
  if (x.rounded && !asOperand) {
    // the result of a hand-rounding step: shown as rounded
    return { text: v.isZero() ? '0' : v.toFixed(decimals, 4), exact: false };
  }
  if (shownExact(x, decimals, asOperand)) {
    const text = v.isZero() ? '0' : v.toFixed();
    return { text, exact: true };
  }
  const fixed = v.toFixed(decimals, 4);
  if (!v.isZero() && /^-?0(\.0*)?$/.test(fixed)) {
    const e = v.toExponential(Math.max(decimals - 1, 1), 4);
    const [mantissa, exp] = e.split('e');
    return { text: e, exact: false, sci: { mantissa: mantissa!, exponent: Number(exp) } };
  }
  // rounded: inexact, or exact with more than `decimals` places
  return { text: fixed, exact: false };
}

/**
 * Whether `show(x, decimals, asOperand)` is the exact value, without formatting it: an exact
 * number with at most `decimals` decimal places, not a hand-rounding's result shown as one.
 */
export function shownExact(x: Num, decimals: number, asOperand = false): boolean {
  return !(x.rounded && !asOperand) && x.exact && x.v.decimalPlaces() <= decimals;
}
