// e^x, tanh x and ln x by src/numeric/elementary.ts: correctly rounded at every precision, the
// same numbers decimal.js's own functions give, and the fast path really taken.
import { describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { Numeric, type Big } from '../../src/numeric/index.js';
import * as elementary from '../../src/numeric/elementary.js';

/** arguments of every kind a solve meets: small pre-activations, saturated ones, tiny, exact zero */
function args(): string[] {
  let s = 12345;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const out = ['0', '1', '-1', '0.5', '0.23', '-0.000001', '1e-6', '3e-7', '1e-30', '-100', '100', '2499', '-2500', '4999', '-5000', '5001', '12345.678'];
  for (let i = 0; i < 120; i++) {
    const scale = [1, 0.01, 10, 300, 1e-5][i % 5]!;
    out.push((rnd() * scale).toPrecision(1 + (i % 17)));
  }
  return out;
}

/**
 * arguments of ln: what the losses meet (ŷ and 1 − ŷ in (0, 1), some within 10^-20 of 0 or
 * of 1), powers of 2 and their neighbours (where m·2^k changes k), and far exponents
 */
function lnArgs(): string[] {
  let s = 54321;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const out = ['1', '0.5', '2', '4', '0.25', '0.2', '3', '10', '0.1', '1.0000000000000000000000000000001', '0.99999999999999999999', '1e-87', '3.7e-300', '1e300', '2.5e-4999', '9e4999', '0.68522', '0.31478', '1.99999999', '0.50000001', '0.49999999'];
  for (let i = 0; i < 120; i++) {
    const scale = [1, 1e-3, 1e-21, 1e3, 1][i % 5]!;
    const x = rnd() * scale;
    out.push((i % 5 === 4 ? 1 - x * 1e-9 : x || 0.5).toPrecision(1 + (i % 17)));
  }
  return out;
}

/** the correctly rounded value: decimal.js at 60 more digits, rounded half up */
function reference(f: 'exp' | 'tanh' | 'ln', x: string, p: number): string {
  const H = Decimal.clone({ precision: p + 60 });
  return new H(x)[f]().toSD(p, Decimal.ROUND_HALF_UP).toString();
}

describe('elementary functions', () => {
  for (const p of [10, 20, 32, 64, 100]) {
    it(`exp and tanh are correctly rounded at ${p} digits`, () => {
      const n = Numeric.at(p);
      for (const x of args()) {
        const v = n.parse(x);
        const arg = { v: v.v, exact: false };
        expect(n.toString(n.exp(arg)), `exp(${x})`).toBe(reference('exp', x, p).replace(/^-0$/, '0'));
        expect(n.toString(n.tanh(arg)), `tanh(${x})`).toBe(reference('tanh', x, p).replace(/^-0$/, '0'));
      }
    });

    it(`ln is correctly rounded at ${p} digits`, () => {
      const n = Numeric.at(p);
      // (a problem file's numbers have exponents within ±1000; the far ones are checked below)
      for (const x of lnArgs().filter((a) => !/e[+-]?\d{4}/.test(a))) expect(n.toString(n.log({ v: n.parse(x).v, exact: false })), `ln(${x})`).toBe(reference('ln', x, p));
    });
  }

  it('give what decimal.js gives, and most arguments take the fast path', () => {
    const W = Decimal.clone({ precision: 64, rounding: Decimal.ROUND_HALF_UP });
    let fast = 0;
    let all = 0;
    for (const x of args()) {
      const v = new W(x) as unknown as Big;
      const e = elementary.exp(W as never, v);
      const t = elementary.tanh(W as never, v);
      if (e) expect(e.toString(), `exp(${x})`).toBe(new W(x).exp().toString());
      if (t) expect(t.toString(), `tanh(${x})`).toBe(new W(x).tanh().toString());
      fast += Number(e !== null) + Number(t !== null);
      all += 2;
    }
    for (const x of lnArgs()) {
      const l = elementary.ln(W as never, new W(x) as unknown as Big);
      if (l) expect(l.toString(), `ln(${x})`).toBe(new W(x).ln().toString());
      fast += Number(l !== null);
      all += 1;
    }
    // the slow path: |x| beyond 5000 (exp) or 2500 (tanh), 0 < |x| < 10^-6 (tanh), or a value at a rounding boundary
    expect(fast / all).toBeGreaterThan(0.9);
  });

  it('leave arguments beyond the fast ranges to decimal.js', () => {
    const W = Decimal.clone({ precision: 64, rounding: Decimal.ROUND_HALF_UP });
    expect(elementary.exp(W as never, new W('5001') as unknown as Big)).toBeNull();
    expect(elementary.tanh(W as never, new W('2501') as unknown as Big)).toBeNull();
    expect(elementary.tanh(W as never, new W('3e-7') as unknown as Big)).toBeNull();
    expect(elementary.exp(W as never, new W('0.23') as unknown as Big)?.toString()).toBe(new W('0.23').exp().toString());
    expect(elementary.ln(W as never, new W('1e-5001') as unknown as Big)).toBeNull();
    expect(elementary.ln(W as never, new W('0') as unknown as Big)).toBeNull();
    expect(elementary.ln(W as never, new W('-0.5') as unknown as Big)).toBeNull();
    expect(elementary.ln(W as never, new W('0.6852') as unknown as Big)?.toString()).toBe(new W('0.6852').ln().toString());
  });

  // digits: 70, 26 and 1006 (what --precision 64, 20 and 1000 ask); decimal.js's ln reaches
  // 1013 digits at most (its ln 10), which is enough to measure an error of 10^-1008
  it.each([[70, lnArgs()], [26, lnArgs()], [1006, lnArgs().filter((_, i) => i % 6 === 0)]])('ln x stays within its error bound of 10^-(digits+2) at %i digits', (digits, xs) => {
    const H = Decimal.clone({ precision: Math.min(digits + 100, 1013) });
    const W = Decimal.clone({ precision: 64, rounding: Decimal.ROUND_HALF_UP });
    let loosest = new H(0);
    for (const x of xs) {
      const approx = elementary.lnApprox(W as never, new W(x) as unknown as Big, digits)!;
      const exact = new H(x).ln();
      if (exact.isZero()) {
        expect(approx.isZero(), `ln(${x})`).toBe(true);
        continue;
      }
      const rel = new H(approx.toString()).minus(exact).div(exact).abs();
      expect(rel.lt(`1e-${digits + 2}`), `ln(${x})`).toBe(true);
      if (rel.gt(loosest)) loosest = rel;
    }
    // and not far within it
    expect(loosest.gt(`1e-${digits + 10}`)).toBe(true);
  }, 60_000);

  // digits: 70 (what 64 asks), 20 and 1010 (what the lowest and highest --precision ask)
  it.each([[70, args()], [20, args()], [1010, args().filter((_, i) => i % 6 === 0)]])('e^x stays within its error bound of 10^-(digits+2) at %i digits', (digits, xs) => {
    const H = Decimal.clone({ precision: digits + 100 });
    const W = Decimal.clone({ precision: 64, rounding: Decimal.ROUND_HALF_UP });
    let loosest = new H(0);
    for (const x of xs.filter((a) => Math.abs(Number(a)) <= 5000)) {
      const approx = elementary.expApprox(W as never, new W(x) as unknown as Big, digits);
      const exact = new H(x).exp();
      const rel = new H(approx.toString()).minus(exact).div(exact).abs();
      expect(rel.lt(`1e-${digits + 2}`), `exp(${x})`).toBe(true);
      // and not far within it: the digits are really computed to the bound, no more
      if (rel.gt(loosest)) loosest = rel;
    }
    expect(loosest.gt(`1e-${digits + 8}`)).toBe(true);
  }, 60_000);
});
