// e^x and tanh x at a working precision, correctly rounded, about seven times as fast as
// decimal.js's own at 64 digits (22 against 160 µs, and more on the first calls, before V8
// has compiled anything): they were a third of the time a solve of an LSTM took.
//
// The method: e^x = (e^r)^(2^k) with r = x / 2^k small, e^r by its Taylor series, in binary
// fixed point with enough extra bits that the result's relative error is known to be below
// a bound; then tanh x = ±(1 − 2 / (e^(2|x|) + 1)). The result is rounded to the working
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
  // a = M / 10^s exactly
  const [whole, fraction = ''] = a.toFixed().split('.');
  const R = (BigInt(whole! + fraction) << BigInt(B - k)) / tenTo(fraction.length);
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
