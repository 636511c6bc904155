// e^x, tanh x and ln x at a working precision, correctly rounded, several times as fast as
// decimal.js's own at 64 digits (e^x: 22 against 160 µs, and more on the first calls, before
// V8 has compiled anything): e^x and tanh x were a third of the time a solve of an LSTM
// took, and ln x (the loss) a tenth of `unrolled solve` of the seed.
//
// The method: e^x = (e^r)^(2^k) with r = x / 2^k small, e^r by its Taylor series, in binary
// fixed point with enough extra bits that the result's relative error is known to be below
// a bound; then tanh x = ±(1 − 2 / (e^(2|x|) + 1)); ln x = k·ln 2 + 2·atanh((m − 1)/(m + 1))
// with x = m·2^k, by the series of atanh, likewise. The result is rounded to the working
// precision only when both ends of the error interval round to the same number, which
// makes it the correctly rounded value. Otherwise (a value within 10^-(p+5) of a rounding
// boundary, or an argument outside the ranges below) the caller uses decimal.js's
// function, so every result is what decimal.js would give.
import type { Big } from './index.js';

/** The decimal.js constructor (a clone of the working one, at another precision). */
interface Ctor {
  new (x: string | number | Big): Big;
  clone(config: object): Ctor;
  readonly precision: number;
  readonly rounding: Parameters<Big['toSD']>[1];
}

/** Beyond this |x|, e^x is left to decimal.js (2^k grows, and so do the extra digits). */
const MAX_ARG = 5000;
/** r = x / 2^k with |r| < 2^-REDUCE: about 20 Taylor terms at 80 digits */
const REDUCE = 8;

const clones = new WeakMap<Ctor, Map<number, Ctor>>();
const powers: bigint[] = [];
/** 10^n as a BigInt */
const tenTo = (n: number): bigint => (powers[n] ??= 10n ** BigInt(n));
/** 10^-(p+5) at the precision p + 12 of roundedIfSure's work */
const margins = new WeakMap<Ctor, Big>();

/** |x| = num/den exactly, as integers (den a power of 10, or 1) */
function ratioOf(x: Big): [num: bigint, den: bigint] {
  const [mantissa, exponent] = x.abs().toExponential().split('e') as [string, string];
  const figures = mantissa.replace('.', '');
  const shift = Number(exponent) - (figures.length - 1);
  return shift >= 0 ? [BigInt(figures) * tenTo(shift), 1n] : [BigInt(figures), tenTo(-shift)];
}

/** the bits of a non-negative integer */
const bitLength = (i: bigint): number => i.toString(2).length;

/** `base` at `digits` significant digits, same rounding (one clone per precision). */
function at(base: Ctor, digits: number): Ctor {
  let byDigits = clones.get(base);
  if (!byDigits) clones.set(base, (byDigits = new Map()));
  let c = byDigits.get(digits);
  if (!c) byDigits.set(digits, (c = base.clone({ precision: digits })));
  return c;
}

/**
 * e^x with a relative error below 10^-(digits+2), for |x| ≤ MAX_ARG, in binary fixed point
 * with BigInt (integers of any size, in V8's own code: far faster than the same steps in
 * decimal.js, and fast from the first call). For a = |x|:
 *
 *   - R = ⌊a·2^(B−k)⌋ is r = a/2^k (r < 2^-8) in units of 2^-B, 1 unit short at most;
 *   - the Taylor series of e^r: tᵢ = ⌊tᵢ₋₁·R / (i·2^B)⌋, until a term is 0. Every tᵢ is
 *     within 2.01 units of the exact term (each step adds at most 1 for its truncation and
 *     1 for R's, and shrinks the error carried in by r/i < 2^-8), and the terms left out add
 *     less than 2.02 units: with n ≤ digits + 10 terms the sum is within 2^(log2(digits+10)+2)
 *     units, so its relative error ε₀ is below 2^(L−B) with L = log2(digits + 10) + 2;
 *   - k squarings Sⱼ₊₁ = ⌊Sⱼ²/2^B⌋: each doubles the relative error and adds at most
 *     2^-B (the values stay ≥ 1), so after k it is below 1.03·2^k·2^(L+1−B) < 10^-(digits+3)/30
 *     with B = ⌈(digits + 3)·log2 10⌉ + k + L + 7;
 *   - Q = ⌊S·10^q / 2^B⌋ with q = digits + 3 has at least digits + 4 digits (S/2^B ≥ 1),
 *     so the decimal Q·10^-q is short by less than 10^-(digits+3) relatively;
 *   - e^-a = 1 / e^a, divided at digits + 4 digits: half a unit in the last, 0.5·10^-(digits+3).
 *
 * In all below 1.6·10^-(digits+3). test/numeric/elementary.test.ts checks the bound, and
 * that exp and tanh are correctly rounded at 10 to 100 digits.
 */
export function expApprox(base: Ctor, x: Big, digits: number): Big {
  const a = x.abs();
  const mag = a.toNumber();
  const k = (mag > 1 ? Math.ceil(Math.log2(mag)) : 0) + REDUCE;
  const L = Math.ceil(Math.log2(digits + 10)) + 2;
  const B = Math.ceil((digits + 3) * Math.log2(10)) + k + L + 7;
  const bits = BigInt(B);
  const [num, den] = ratioOf(a);
  const R = (num << BigInt(B - k)) / den;
  const one = 1n << bits;
  let sum = one;
  let term = one;
  for (let i = 1n; ; i++) {
    // ⌊⌊t·R / 2^B⌋ / i⌋ = ⌊t·R / (i·2^B)⌋, a division by a small number
    term = ((term * R) >> bits) / i;
    if (term === 0n) break;
    sum += term;
  }
  for (let j = 0; j < k; j++) sum = (sum * sum) >> bits;
  const q = digits + 3;
  const W = at(base, digits + 4);
  const ea = new W(`${(sum * tenTo(q)) >> bits}e-${q}`);
  return x.isNeg() ? new W(1).div(ea) : ea;
}

/**
 * `approx` rounded to the precision of `target`, when every number within a relative
 * 10^-(p+5) of it rounds the same way; otherwise null.
 */
function roundedIfSure(target: Ctor, approx: Big): Big | null {
  const p = target.precision;
  const R = at(target, p + 12);
  let eps = margins.get(R);
  if (!eps) margins.set(R, (eps = new R(`1e-${p + 5}`)));
  const a = new R(approx);
  // a·10^-(p+5): a product by a one-digit number
  const d = a.times(eps);
  const lo = a.minus(d).toSD(p, target.rounding);
  const hi = a.plus(d).toSD(p, target.rounding);
  return lo.eq(hi) ? new target(lo) : null;
}

/** e^x rounded to `W`'s precision, or null for decimal.js to do it. */
export function exp(W: Ctor, x: Big): Big | null {
  if (!x.isFinite() || Math.abs(x.toNumber()) > MAX_ARG) return null;
  return roundedIfSure(W, expApprox(W, x, W.precision + 6));
}

/**
 * tanh x rounded to `W`'s precision, or null for decimal.js to do it. For small |x|,
 * 1 − 2/(e^(2|x|) + 1) cancels about −log10|x| leading digits, which the work carries in
 * addition: the relative error stays below 10^-(p+6). Below 10^-6 that is left to decimal.js.
 */
export function tanh(W: Ctor, x: Big): Big | null {
  if (!x.isFinite() || Math.abs(x.toNumber()) > MAX_ARG / 2) return null;
  const e = (x as unknown as { e: number }).e;
  if (!x.isZero() && e < -6) return null;
  const wp = W.precision + 8 + Math.max(0, -e);
  const T = at(W, wp + 4);
  const big = new T(expApprox(W, new T(x).abs().times(2), wp));
  const t = new T(1).minus(new T(2).div(big.plus(1)));
  return roundedIfSure(W, x.isNeg() ? t.neg() : t);
}

/** Beyond this decimal exponent, ln x is left to decimal.js. */
const MAX_LN_EXPONENT = 5000;
/** atanh(1/3)·2^B (ln 2 = 2·atanh(1/3)) by B: the same few B recur */
const atanhThird = new Map<number, bigint>();

/**
 * atanh(N/D)·2^B, short by less than 2 units per term computed and 1 for the rest, for
 * 0 ≤ N/D ≤ 1/3, by the series z + z³/3 + z⁵/5 + … in fixed point (B = `bits`). With
 * z·2^B = Z + δ (δ < 1) and Z₂ = ⌊Z²/2^B⌋ short of z²·2^B by less than 2z + 1 < 2 units:
 *
 *   - the powers Pᵢ = ⌊Pᵢ₋₁·Z₂/2^B⌋ (P₀ = Z) fall short of z^(2i+1)·2^B by eᵢ < 1 + 2z^(2i−1)
 *     + eᵢ₋₁·z² ≤ 5/3 + eᵢ₋₁/9, so eᵢ < 2 for every i;
 *   - the terms ⌊Pᵢ/(2i + 1)⌋ fall short of z^(2i+1)/(2i + 1)·2^B by less than 2 units each;
 *   - at the first Pᵢ = 0 the series stops: z^(2i+1)·2^B < 2, and the terms left out add up to
 *     less than 2/3 · 9/8 = 0.75 units.
 *
 * So the sum is short by less than 2n + 1 units for n terms, and there are n < 0.32·B + 1
 * (Pᵢ ≤ 3^-(2i+1)·2^B is 0 once that is below 1).
 */
function atanhFixed(N: bigint, D: bigint, bits: bigint): bigint {
  const Z = (N << bits) / D;
  const Z2 = (Z * Z) >> bits;
  let power = Z;
  let sum = Z;
  for (let i = 3n; ; i += 2n) {
    power = (power * Z2) >> bits;
    if (power === 0n) return sum;
    sum += power / i;
  }
}

/**
 * ln x with a relative error below 10^-(digits+2), for x > 0 with a decimal exponent within
 * ±MAX_LN_EXPONENT (else null), in binary fixed point with BigInt:
 *
 *   - x = num/den exactly, and x = m·2^k with m in [1, 2) for x ≥ 1 and in (1/2, 1] for
 *     x < 1 (k found from the integers' lengths, then made exact by comparing them), so that
 *     ln m has the sign of k and the sum below never cancels: |ln x| ≥ |k|·ln 2;
 *   - ln x = k·2·atanh(1/3) + 2·atanh(z), z = (m − 1)/(m + 1), |z| ≤ 1/3, each atanh short by
 *     less than 2n + 1 units (atanhFixed), so ln x is off by E < 2(|k| + 1)(2n + 1) units of
 *     2^-B: relatively less than 6(2n + 1)·2^-B when k ≠ 0 (|ln x| ≥ 0.69|k|), and less than
 *     (2n + 1)·2^(g−B) when k = 0 (|ln x| ≥ 2|z| > 2^(1−g), g from the integers' lengths);
 *   - with B = ⌈(digits + 3)·log2 10⌉ + g + ⌈log2(6(2n + 1))⌉ + 1 that is below 10^-(digits+3)/2;
 *   - the decimal Q·10^-q, Q = ⌊|V|·10^q/2^B⌋, has digits + 4 digits at least: 10^-(digits+4).
 *
 * In all below 10^-(digits+2). test/numeric/elementary.test.ts checks the bound, and that
 * ln is correctly rounded at 10 to 100 digits.
 */
export function lnApprox(base: Ctor, x: Big, digits: number): Big | null {
  const { e } = x as unknown as { e: number };
  if (!x.isFinite() || x.lte(0) || Math.abs(e) > MAX_LN_EXPONENT) return null;
  const [num, den] = ratioOf(x);
  // x = m·2^k: a = m·b, k first from the integers' lengths (within 1 of log2 x)
  let k = bitLength(num) - bitLength(den);
  let a: bigint;
  let b: bigint;
  if (num >= den) {
    k = Math.max(k, 0);
    while (k > 0 && num < den << BigInt(k)) k--;
    while (num >= den << BigInt(k + 1)) k++;
    [a, b] = [num, den << BigInt(k)];
  } else {
    // k = −j ≤ 0 with 2^(k−1) < x ≤ 2^k: num·2^j ≤ den < num·2^(j+1)
    let j = Math.max(-k - 1, 0);
    while (j > 0 && num << BigInt(j) > den) j--;
    while (num << BigInt(j + 1) <= den) j++;
    k = -j;
    [a, b] = [num << BigInt(j), den];
  }
  const N = a >= b ? a - b : b - a;
  const D = a + b;
  if (N === 0n && k === 0) return new base(0);
  const g = k === 0 ? bitLength(D) - bitLength(N) + 1 : 0;
  const bare = Math.ceil((digits + 3) * Math.log2(10)) + g;
  const n = Math.ceil(0.32 * (bare + 32)) + 1;
  const B = bare + Math.ceil(Math.log2(6 * (2 * n + 1))) + 1;
  const bits = BigInt(B);
  let third = atanhThird.get(B);
  if (third === undefined) atanhThird.set(B, (third = atanhFixed(1n, 3n, bits)));
  const lnM = N === 0n ? 0n : 2n * atanhFixed(N, D, bits);
  // |ln x|·2^B: both parts have the sign of k (or of z when k = 0)
  const magnitude = BigInt(Math.abs(k)) * 2n * third + lnM;
  const q = digits + 4 + Math.max(0, Math.ceil((B - bitLength(magnitude) + 1) * Math.log10(2)));
  const W = at(base, digits + 4);
  const negative = k < 0 || (k === 0 && a < b);
  return new W(`${negative ? '-' : ''}${(magnitude * tenTo(q)) >> bits}e-${q}`);
}

/** ln x rounded to `W`'s precision, or null for decimal.js to do it. */
export function ln(W: Ctor, x: Big): Big | null {
  const approx = lnApprox(W, x, W.precision + 6);
  return approx && roundedIfSure(W, approx);
}
