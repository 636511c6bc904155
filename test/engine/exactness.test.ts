// Exact decimals stay exact (DESIGN §3): inputs, linear algebra on exact operands, fractions
// that terminate; everything through tanh/σ/exp/log is inexact. And the display rule.
import { describe, it, expect } from 'vitest';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Numeric, show, NumberSyntaxError, type Num } from '../../src/numeric/index.js';
import { loadProblem, validate } from '../../src/problem/validate.js';
import { parseSource } from '../../src/problem/source.js';
import { solve } from '../../src/engine/solve.js';
import { renderJson } from '../../src/render/json.js';
import type { Value } from '../../src/trace/types.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const n = Numeric.at(64);
const seed = solve(loadProblem(join(ROOT, 'fixtures', 'seed-rnn-sentiment.yaml'), n), { precision: 64 });
const json = (JSON.parse(renderJson(seed, n)) as { quantities: Record<string, unknown> }).quantities;

function q(id: string): Value {
  const v = seed.quantities.get(id);
  if (!v) throw new Error(`no quantity ${id}`);
  return v;
}
/** significant digits of a decimal string */
const digits = (s: string) => s.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '');
const entries = (v: Value): Num[] => (v.kind === 'scalar' ? [v.x] : v.kind === 'vec' ? v.x : v.x.flat());

describe('exact values of the seed problem', () => {
  it('x_1 is the embedding of "i", exactly', () => {
    expect(json['ex1.t1.x']).toEqual(['0.1', '0.2', '0.3']);
    expect(entries(q('ex1.t1.x')).every((x) => x.exact)).toBe(true);
  });

  it('z_1 = W_xh x_1 + b_h is exactly 0.23, 0.32, 0.27 (h_0 = 0)', () => {
    expect(json['ex1.t1.z']).toEqual(['0.23', '0.32', '0.27']);
    expect(json['ex2.t1.z']).toEqual(['0.23', '0.32', '0.27']);
    expect(entries(q('ex1.t1.z')).map((x) => x.exact)).toEqual([true, true, true]);
  });

  it('h_1 = tanh(z_1) is inexact, at 64 significant digits', () => {
    const h = entries(q('ex1.t1.h'));
    expect(h.map((x) => x.exact)).toEqual([false, false, false]);
    expect(n.toString(h[0]!)).toBe('0.2260283522786709414583111729537471744757477602181305426788389553');
    expect(h[1]!.v.toString().replace(/^0\./, '').length).toBe(64);
    // everything downstream of h_1 is inexact too
    expect(entries(q('ex1.t2.z')).some((x) => x.exact)).toBe(false);
    expect(entries(q('ex1.t6.yhat'))[0]!.exact).toBe(false);
    expect(entries(q('loss'))[0]!.exact).toBe(false);
  });

  it('dW_hh at t = 1 is exactly 0 everywhere (dz_1 h_0ᵀ with h_0 = 0), never "-0"', () => {
    expect(json['ex1.t1.dW_hh']).toEqual([['0', '0', '0'], ['0', '0', '0'], ['0', '0', '0']]);
    expect(json['ex2.t1.dW_hh']).toEqual([['0', '0', '0'], ['0', '0', '0'], ['0', '0', '0']]);
    expect(entries(q('ex1.t1.dW_hh')).every((x) => x.exact && x.v.isZero())).toBe(true);
    // the head is only used at the last step: its contributions elsewhere are exact zeros
    expect(json['ex1.t1.dW_hy']).toEqual([['0', '0', '0']]);
    expect(json['ex1.t5.db_y']).toEqual(['0']);
    // but dW_hh at t = 2 is not
    expect(entries(q('ex1.t2.dW_hh')).every((x) => !x.v.isZero() && !x.exact)).toBe(true);
  });

  it('every JSON value is a plain decimal string at the working precision', () => {
    for (const [id, v] of Object.entries(json)) {
      for (const s of [v].flat(2)) {
        expect(typeof s, id).toBe('string');
        expect(s as string, id).toMatch(/^-?\d+(\.\d+)?(e[+-]\d+)?$/);
        expect(digits(s as string).length, id).toBeLessThanOrEqual(64);
      }
    }
    expect(json['loss']).toMatch(/^1\.51201667431824\d{40,49}$/);
    expect(json['ex1.t6.loss']).toMatch(/^0\.37802847004777\d{40,50}$/);
  });
});

describe('exactness through the engine on a small problem with fractions', () => {
  const problem = (w: string, b: string) => `
model: { cell: rnn, hidden_size: 1 }
params:
  W_xh: [["${w}"]]
  W_hh: [[0.5]]
  b_h: ["${b}"]
  W_hy: [[1]]
  b_y: [0]
head: { activation: identity, loss: mse }
data:
  - inputs: [[2], [4]]
    target: "1/8"
`;
  it('a terminating fraction keeps z exact; a repeating one makes it inexact', () => {
    const good = solve(validate(parseSource(problem('1/4', '-1/2'), 'f.yaml'), 'f.yaml', n), { precision: 64 });
    const z = good.quantities.get('ex1.t1.z')!;
    expect(z.kind === 'vec' && z.x[0]!.exact).toBe(true);
    expect(z.kind === 'vec' && n.toString(z.x[0]!)).toBe('0'); // 1/4 · 2 − 1/2
    const h1 = good.quantities.get('ex1.t1.h')!;
    expect(h1.kind === 'vec' && h1.x[0]!.exact && h1.x[0]!.v.isZero()).toBe(true); // tanh(0) = 0 exactly
    const z2 = good.quantities.get('ex1.t2.z')!;
    expect(z2.kind === 'vec' && z2.x[0]!.exact && n.toString(z2.x[0]!)).toBe('0.5'); // 1/4 · 4 + 0.5 · 0 − 1/2
    const bad = solve(validate(parseSource(problem('1/3', '0'), 'f.yaml'), 'f.yaml', n), { precision: 64 });
    const zb = bad.quantities.get('ex1.t1.z')!;
    expect(zb.kind === 'vec' && zb.x[0]!.exact).toBe(false);
    // 1/3 is carried at 64 significant digits, so 2 · (1/3) is 2/3 to within 1e-63
    expect(zb.kind === 'vec' && zb.x[0]!.v.minus(n.math.bignumber(2).div(3)).abs().lt('1e-63')).toBe(true);
    expect(zb.kind === 'vec' && n.toString(zb.x[0]!).slice(0, 40)).toBe('0.' + '6'.repeat(38));
  });
});

describe('Numeric.parse', () => {
  it('reads decimals exactly, never through a binary float', () => {
    const x = n.parse('0.1');
    expect(x.exact).toBe(true);
    expect(n.toString(n.add(x, n.parse('0.2')))).toBe('0.3');
    expect(n.toString(n.parse('-2.5e-3'))).toBe('-0.0025');
    expect(n.toString(n.parse('.5'))).toBe('0.5');
    expect(n.toString(n.parse('3.'))).toBe('3');
    expect(n.toString(n.parse('+7'))).toBe('7');
    const long = '0.' + '1'.repeat(80);
    expect(n.toString(n.parse(long))).toBe(long); // exact input is not cut at the working precision
  });

  it('"1/4" is exactly 0.25, "1/3" is inexact', () => {
    const q1 = n.parse('1/4');
    expect(q1.exact).toBe(true);
    expect(n.toString(q1)).toBe('0.25');
    expect(n.parse(' -2.5 / 4 ')).toMatchObject({ exact: true });
    expect(n.toString(n.parse('-2.5/4'))).toBe('-0.625');
    const t = n.parse('1/3');
    expect(t.exact).toBe(false);
    expect(n.toString(t)).toBe('0.' + '3'.repeat(64));
  });

  it('refuses what is not a decimal or a fraction', () => {
    for (const bad of ['abc', '', '0x1F', 'NaN', 'Infinity', '1/0', '1e999999', '1,5', '1/2/3', '--1']) {
      expect(() => n.parse(bad), bad).toThrow(NumberSyntaxError);
    }
    expect(() => n.parse('1/0')).toThrow(/divides by zero/);
    expect(() => n.parse('1e999999')).toThrow(/exponent/);
    expect(n.toString(n.parse('1e1000'))).toBe('1e+1000');
  });

  it('products and sums of exact values are exact however long', () => {
    const a = n.parse('0.123456789012345678901234567890123456789');
    const p = n.mul(n.mul(a, a), a);
    expect(p.exact).toBe(true);
    expect(p.v.decimalPlaces()).toBe(117);
    expect(n.div(n.parse('1'), n.parse('3')).exact).toBe(false);
    expect(n.div(n.parse('1'), n.parse('1024')).exact).toBe(true);
    expect(n.sigmoid(n.zero)).toEqual(expect.objectContaining({ exact: true }));
    expect(n.toString(n.sigmoid(n.zero))).toBe('0.5');
  });
});

describe('show: the display rule', () => {
  it('shows exact values with at most `decimals` places as they are', () => {
    expect(show(n.parse('0.13'), 4)).toEqual({ text: '0.13', exact: true });
    expect(show(n.parse('0.1300'), 4)).toEqual({ text: '0.13', exact: true });
    expect(show(n.parse('-0.23'), 4)).toEqual({ text: '-0.23', exact: true });
    expect(show(n.parse('3'), 0)).toEqual({ text: '3', exact: true });
    expect(show(n.parse('1.5e3'), 2)).toEqual({ text: '1500', exact: true });
    expect(show(n.zero, 4)).toEqual({ text: '0', exact: true });
    expect(show(n.parse('0.1234'), 4)).toEqual({ text: '0.1234', exact: true });
  });

  it('rounds anything else half away from zero', () => {
    expect(show(n.parse('0.12345'), 4)).toEqual({ text: '0.1235', exact: false });
    expect(show(n.parse('-0.12345'), 4)).toEqual({ text: '-0.1235', exact: false });
    expect(show(n.parse('0.12344'), 4)).toEqual({ text: '0.1234', exact: false });
    expect(show(n.parse('2.5'), 0)).toEqual({ text: '3', exact: false });
    expect(show(n.parse('-2.5'), 0)).toEqual({ text: '-3', exact: false });
    expect(show(n.parse('0.5'), 0)).toEqual({ text: '1', exact: false });
    expect(show(n.tanh(n.parse('0.23')), 4)).toEqual({ text: '0.2260', exact: false });
    expect(show(n.tanh(n.parse('0.23')), 6)).toEqual({ text: '0.226028', exact: false });
    expect(show(n.parse('1/3'), 3)).toEqual({ text: '0.333', exact: false });
    expect(show(n.parse('2/3'), 3)).toEqual({ text: '0.667', exact: false });
  });

  it('shows a tiny non-zero value in scientific notation, never as 0', () => {
    const s = n.sigmoid(n.parse('-100'));
    expect(s.exact).toBe(false);
    expect(n.toString(s).startsWith('3.72007597602083')).toBe(true);
    expect(show(s, 4)).toEqual({ text: '3.720e-44', exact: false, sci: { mantissa: '3.720', exponent: -44 } });
    expect(show(n.neg(s), 4)).toMatchObject({ text: '-3.720e-44', sci: { mantissa: '-3.720', exponent: -44 } });
    expect(show(s, 6).text).toBe('3.72008e-44');
    expect(show(n.parse('0.00004'), 4).text).toBe('4.000e-5');
    expect(show(n.parse('0.00005'), 4).text).toBe('0.0001'); // rounds up to a non-zero display
    expect(show(n.parse('-0.00005'), 4).text).toBe('-0.0001');
  });
});
