// Seeded draws for `unrolled init` and `unrolled handout`. A seed is made from text (the
// teacher's seed, a student id, the part of the file being drawn) by SHA-256, and the draws
// come from pure-rand's xoroshiro128+: the same seed gives the same numbers on every machine
// and in every Node.js version. Numbers are drawn as exact decimals — an integer k on the
// grid of `decimals` places, written k / 10^decimals — never as binary floats.
import { createHash } from 'node:crypto';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** A 32-bit seed from any number of text parts (joined unambiguously). */
export function seedOf(...parts: (string | number)[]): number {
  const h = createHash('sha256').update(parts.map(String).join('\u0000')).digest();
  return h.readUInt32BE(0);
}

/** The grid a random decimal is drawn from: k / 10^decimals for lo ≤ k ≤ hi (k ≠ 0 when nonzero). */
export interface DecimalGrid {
  lo: number;
  hi: number;
  decimals: number;
  nonzero: boolean;
}

export const MAX_DECIMALS = 6;

/**
 * The grid of `decimals` places inside [min, max] (decimal strings, read exactly), or a
 * message saying why there is none.
 */
export function decimalGrid(min: string, max: string, decimals: number, nonzero: boolean): DecimalGrid | string {
  const a = scaled(min, decimals, 'ceil');
  const b = scaled(max, decimals, 'floor');
  if (a === null) return `min ${min} is not a decimal number`;
  if (b === null) return `max ${max} is not a decimal number`;
  if (a > b) return `no number with ${decimals} decimal place${decimals === 1 ? '' : 's'} lies from ${min} to ${max}`;
  if (nonzero && a === 0n && b === 0n) return `the only number with ${decimals} decimal place${decimals === 1 ? '' : 's'} from ${min} to ${max} is 0, but nonzero is set`;
  const limit = 10n ** 15n;
  if (a < -limit || b > limit) return `the range from ${min} to ${max} at ${decimals} decimal places is too large`;
  return { lo: Number(a), hi: Number(b), decimals, nonzero };
}

/** `text` × 10^d as an integer, rounded toward +∞ (ceil) or −∞ (floor); null if not a decimal. */
function scaled(text: string, d: number, mode: 'ceil' | 'floor'): bigint | null {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$/.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const digits = (m[2] ?? '') + (m[3] ?? '');
  // value = sign × digits × 10^(exp − fraction length + d)
  const shift = Number(m[4] ?? 0) - (m[3] ?? '').length + d;
  let k: bigint;
  let exact = true;
  if (shift >= 0) k = BigInt(digits || '0') * 10n ** BigInt(shift);
  else {
    const div = 10n ** BigInt(-shift);
    const big = BigInt(digits || '0');
    k = big / div;
    exact = big % div === 0n;
  }
  const negative = m[1] === '-';
  if (negative) k = -k;
  if (!exact) {
    // the truncation went toward zero
    if (mode === 'ceil' && !negative) k += 1n;
    if (mode === 'floor' && negative) k -= 1n;
  }
  return k;
}

/** k / 10^d as the shortest exact decimal text: 3, 1 → "0.3"; −25, 2 → "-0.25"; 20, 1 → "2". */
export function decimalText(k: number, d: number): string {
  const negative = k < 0;
  const digits = String(Math.abs(k)).padStart(d + 1, '0');
  const int = digits.slice(0, digits.length - d);
  const frac = digits.slice(digits.length - d).replace(/0+$/, '');
  const s = frac ? `${int}.${frac}` : int;
  return negative && s !== '0' ? `-${s}` : s;
}

/** A stream of draws from one seed. */
export class Draw {
  private readonly rng;
  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed);
  }

  /** a whole number from lo to hi, both included */
  int(lo: number, hi: number): number {
    return uniformInt(this.rng, lo, hi);
  }

  /** one element */
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)]!;
  }

  /** k distinct elements, kept in their original order */
  sample<T>(xs: readonly T[], k: number): T[] {
    const idx = xs.map((_, i) => i);
    // a partial Fisher–Yates shuffle chooses k positions
    for (let i = 0; i < k; i++) {
      const j = this.int(i, idx.length - 1);
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    return idx.slice(0, k).sort((a, b) => a - b).map((i) => xs[i]!);
  }

  /** a decimal on the grid, as exact text */
  decimal(g: DecimalGrid): string {
    for (;;) {
      const k = this.int(g.lo, g.hi);
      if (!g.nonzero || k !== 0) return decimalText(k, g.decimals);
    }
  }

  vector(g: DecimalGrid, n: number): string[] {
    return Array.from({ length: n }, () => this.decimal(g));
  }

  matrix(g: DecimalGrid, rows: number, cols: number): string[][] {
    return Array.from({ length: rows }, () => this.vector(g, cols));
  }
}
