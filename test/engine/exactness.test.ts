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

describe('exactness through the gated cells', () => {
  const solveText = (text: string) => solve(validate(parseSource(text, 'g.yaml'), 'g.yaml', n), { precision: 64 });
  const vals = (tr: ReturnType<typeof solveText>, id: string): Num[] => {
    const v = tr.quantities.get(id);
    if (!v) throw new Error(`no quantity ${id}`);
    return entries(v);
  };
  const strs = (xs: Num[]) => xs.map((x) => n.toString(x));
  const flags = (xs: Num[]) => xs.map((x) => x.exact);

  // torch.nn.LSTM, gate rows i, f, g, o; x_1 = [1, 0.5], h0 = [0.5, −0.5]. Each row is
  // W_ih x_1 + b_ih + W_hh h0 + b_hh, e.g. row i1: (0.2 − 0.2) + (−0.15) + (0.15 − 0.05) + 0.05 = 0.
  const lstm = (c0: string) => `
model: { cell: lstm, hidden_size: 2, convention: pytorch }
params:
  weight_ih_l0: [[0.2, -0.4], [0.1, 0.2], [-0.3, 0.4], [0.5, 0.1], [0.25, 0.5], [-0.1, -0.2], [0.1, 0], [0.3, -0.6]]
  weight_hh_l0: [[0.3, 0.1], [0.2, 0.2], [0.4, 0.2], [-0.2, 0.3], [-0.6, 0.2], [0.1, 0.1], [0.2, 0.4], [0.1, 0.1]]
  bias_ih_l0: [-0.15, 0.05, 0, 0.1, -0.05, 0, 0.05, 0.2]
  bias_hh_l0: [0.05, 0.05, 0, -0.05, -0.05, 0, 0.05, -0.2]
  W_hy: [[1, -1]]
  b_y: [0]
head: { activation: identity, loss: mse }
data:
  - inputs: [[1, 0.5], [0.2, -0.4]]
    target: 0.5
initial_state: { h0: [0.5, -0.5], c0: ${c0} }
`;

  it('pytorch LSTM: the pre-activations at t = 1 are exact decimals, worked by hand', () => {
    const tr = solveText(lstm('[1, -2]'));
    const pre = { i_pre: ['0', '0.3'], f_pre: ['0', '0.35'], g_pre: ['0', '-0.2'], o_pre: ['0.1', '0'] };
    for (const [id, want] of Object.entries(pre)) {
      expect(strs(vals(tr, `ex1.t1.${id}`)), id).toEqual(want);
      expect(flags(vals(tr, `ex1.t1.${id}`)), id).toEqual([true, true]);
    }
    // at t = 2 they read h_1, which went through σ and tanh
    expect(vals(tr, 'ex1.t2.i_pre').some((x) => x.exact)).toBe(false);
  });

  it('pytorch LSTM: σ(0) = 0.5 and tanh(0) = 0 exactly; anything else through σ or tanh is inexact', () => {
    const tr = solveText(lstm('[1, -2]'));
    expect(strs(vals(tr, 'ex1.t1.i'))[0]).toBe('0.5');
    expect(strs(vals(tr, 'ex1.t1.f'))[0]).toBe('0.5');
    expect(strs(vals(tr, 'ex1.t1.o'))[1]).toBe('0.5');
    expect(strs(vals(tr, 'ex1.t1.g'))[0]).toBe('0');
    expect(flags(vals(tr, 'ex1.t1.i'))).toEqual([true, false]);
    expect(flags(vals(tr, 'ex1.t1.f'))).toEqual([true, false]);
    expect(flags(vals(tr, 'ex1.t1.g'))).toEqual([true, false]);
    expect(flags(vals(tr, 'ex1.t1.o'))).toEqual([false, true]);
    expect(n.toString(vals(tr, 'ex1.t1.o')[0]!)).toBe(n.toString(n.sigmoid(n.parse('0.1'))));
    // c_1 = f ⊙ c0 + i ⊙ g: first entry 0.5 · 1 + 0.5 · 0 = 0.5, exactly
    const c = vals(tr, 'ex1.t1.c');
    expect(n.toString(c[0]!)).toBe('0.5');
    expect(flags(c)).toEqual([true, false]);
    // then tanh(0.5) is not
    expect(flags(vals(tr, 'ex1.t1.tanh_c'))).toEqual([false, false]);
    expect(n.toString(vals(tr, 'ex1.t1.tanh_c')[0]!)).toBe(n.toString(n.tanh(n.parse('0.5'))));
  });

  it('pytorch LSTM with c0 = [0, −2]: c_1, tanh(c_1) and h_1 start with an exact 0 (never "-0")', () => {
    const tr = solveText(lstm('[0, -2]'));
    for (const id of ['c', 'tanh_c', 'h']) {
      const v = vals(tr, `ex1.t1.${id}`);
      expect(strs(v)[0], id).toBe('0');
      expect(flags(v), id).toEqual([true, false]);
    }
    // h_1[1] = 0 exactly, so ∂L/∂weight_hh at t = 2 (dpre_2 h_1ᵀ) has an exact zero first column
    const d = tr.quantities.get('ex1.t2.dweight_hh')!;
    expect(d.kind).toBe('mat');
    if (d.kind === 'mat') {
      expect(d.x.map((r) => n.toString(r[0]!))).toEqual(Array.from({ length: 8 }, () => '0'));
      // and ∂L/∂f_2 = dc_2 ⊙ c_1 has an exact 0 first entry too (c_1[1] = 0), so does the forget
      // gate's first row (row 3 in i, f, g, o order); every other entry is inexact and non-zero
      expect(n.toString(vals(tr, 'ex1.t2.df')[0]!)).toBe('0');
      expect(d.x.map((r, i) => (i === 2 ? r[1]!.exact && n.toString(r[1]!) === '0' : !r[1]!.exact && !r[1]!.v.isZero()))).toEqual(Array.from({ length: 8 }, () => true));
    }
  });

  // torch.nn.GRU, rows r, z, n; h0 = 0 (not given), b_hn = 0: hn_1 = W_hn · 0 + 0 = 0 exactly,
  // so n_pre_1 = W_in x_1 + b_in + r ⊙ 0 is exact although r is not.
  const gru = `
model: { cell: gru, hidden_size: 2, convention: pytorch }
params:
  weight_ih: [[0.2, 0.4], [0.1, -0.2], [0.3, -0.6], [0.5, 0.2], [0.4, -0.2], [0.2, 0.2]]
  weight_hh: [[0.7, -0.1], [0.3, 0.9], [-0.4, 0.6], [0.2, -0.3], [0.5, 0.8], [-0.6, 0.1]]
  bias_ih: [0.1, 0, 0.1, 0, -0.3, 0.2]
  bias_hh: [-0.1, 0, -0.1, 0.2, 0, 0]
  W_hy: [[1, -1]]
  b_y: [0]
head: { activation: identity, loss: mse, output_at: every }
data:
  - inputs: [[1, 0.5], [0.2, -0.4]]
    target: [0.5, -0.5]
`;

  it('pytorch GRU, h0 = 0: r_pre, z_pre, hn, n_pre exact; z = 0.5 and n = 0 exactly where the pre-activation is 0; h_1 = 0 there', () => {
    const tr = solveText(gru);
    const want = { r_pre: ['0.4', '0'], z_pre: ['0', '0.8'], hn: ['0', '0'], n_pre: ['0', '0.5'] };
    for (const [id, w] of Object.entries(want)) {
      expect(strs(vals(tr, `ex1.t1.${id}`)), id).toEqual(w);
      expect(flags(vals(tr, `ex1.t1.${id}`)), id).toEqual([true, true]);
    }
    expect(flags(vals(tr, 'ex1.t1.r'))).toEqual([false, true]);
    expect(strs(vals(tr, 'ex1.t1.r'))[1]).toBe('0.5');
    expect(flags(vals(tr, 'ex1.t1.z'))).toEqual([true, false]);
    expect(strs(vals(tr, 'ex1.t1.z'))[0]).toBe('0.5');
    expect(flags(vals(tr, 'ex1.t1.n'))).toEqual([true, false]);
    expect(strs(vals(tr, 'ex1.t1.n'))[0]).toBe('0');
    // h_1 = (1 − z) ⊙ n + z ⊙ h0: (0.5)(0) + (0.5)(0) = 0, exactly
    expect(strs(vals(tr, 'ex1.t1.h'))[0]).toBe('0');
    expect(flags(vals(tr, 'ex1.t1.h'))).toEqual([true, false]);
    // at t = 1 every gradient of weight_hh is dpre h0ᵀ = 0 exactly, never "-0"
    expect(strs(vals(tr, 'ex1.t1.dweight_hh'))).toEqual(Array.from({ length: 12 }, () => '0'));
    expect(flags(vals(tr, 'ex1.t1.dweight_hh')).every(Boolean)).toBe(true);
    // at t = 2, hn reads h_1, whose second entry is inexact
    expect(flags(vals(tr, 'ex1.t2.hn'))).toEqual([false, false]);
  });

  it('textbook GRU, h0 = 0: n_pre_1 = W_h [r ⊙ 0; x_1] + b_h is exact although r is not', () => {
    const tr = solveText(`
model: { cell: gru, hidden_size: 1 }
params:
  W_z: [[0.3, 0.2, -0.4]]
  b_z: [0]
  W_r: [[0.5, 0.1, 0.1]]
  b_r: [0.05]
  W_h: [[0.9, -0.25, 0.5]]
  b_h: [0]
  W_hy: [[1]]
  b_y: [0]
head: { activation: identity, loss: mse }
data:
  - inputs: [[1, 0.5]]
    target: 0.5
`);
    expect(flags(vals(tr, 'ex1.t1.r'))).toEqual([false]);
    // z_pre = 0.2 − 0.2 = 0 → z = 0.5; n_pre = −0.25 + 0.25 = 0 → n = 0; h_1 = 0.5 · 0 + 0.5 · 0
    for (const [id, w] of Object.entries({ z_pre: '0', z: '0.5', n_pre: '0', n: '0', h: '0' })) {
      expect(strs(vals(tr, `ex1.t1.${id}`)), id).toEqual([w]);
      expect(flags(vals(tr, `ex1.t1.${id}`)), id).toEqual([true]);
    }
  });
});
