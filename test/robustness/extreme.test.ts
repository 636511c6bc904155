// Numerically extreme but valid input: an LSTM with weights of ±100. Every gate value is
// checked against an independent decimal.js computation to 60 significant digits, and the
// solution shows the tiny values in scientific notation, never as 0.
import { Decimal } from 'decimal.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { solveToText } from '../../src/run/solve.js';

const D = Decimal.clone({ precision: 120 });
const sigma = (x: number) => new D(1).div(new D(1).plus(new D(-x).exp()));
const tanh = (x: number) => new D(x).tanh();
const json = JSON.parse(solveToText({ problem: 'fixtures/lstm-saturated.yaml', format: 'json', out: null, decimals: 4, detail: 'full', precision: 64 }).text) as { quantities: Record<string, string | string[]> };
const q = (id: string, i = 0) => new D(([] as string[]).concat(json.quantities[id]!)[i]!);
/** agree to 60 significant digits */
const same = (got: Decimal, want: Decimal) => expect(got.minus(want).abs().lte(want.abs().times('1e-60')), `${got} vs ${want}`).toBe(true);

describe('a saturated LSTM (weights ±100)', () => {
  it('computes σ(±100) and tanh(±100) to 60 digits', () => {
    // t = 1, x = e(up) = (1, 0), h0 = c0 = 0: f_pre = (−100, 0), i_pre = (100, 0), g_pre = (100, −100)
    same(q('ex1.t1.f', 0), sigma(-100));
    expect(q('ex1.t1.f', 0).toExponential(12)).toBe('3.720075976021e-44');
    same(q('ex1.t1.i', 0), sigma(100));
    same(q('ex1.t1.g', 0), tanh(100));
    same(q('ex1.t1.g', 1), tanh(-100));
    // c_1 = f ⊙ c_0 + i ⊙ g = i ⊙ g; h_1 = o ⊙ tanh(c_1), o_pre = (100, 0)
    const c11 = sigma(100).times(tanh(100));
    same(q('ex1.t1.c', 0), c11);
    same(q('ex1.t1.h', 0), sigma(100).times(c11.tanh()));
    same(q('ex1.t1.h', 1), new D('0.5').times(new D('-0.5').tanh()));
  });

  it('keeps tiny gradients as numbers, not zeros', () => {
    const loss = q('loss');
    expect(loss.gt(0)).toBe(true);
    expect(loss.lt('1e-19')).toBe(true);
    // −log ŷ with ŷ = σ(s), s = 100 h_1 − 100 h_2 at t = 2: L = log(1 + e^{−s})
    // ŷ is 1 − 8.5e-21 held to 64 digits, so 1 − ŷ, and with it the loss, keeps 64 − 21 = 43
    // correct digits: far beyond the 4 shown
    const s = q('ex1.t2.s');
    const want = new D(1).plus(s.neg().exp()).ln();
    expect(loss.minus(want).abs().lte(want.times('1e-42')), `${loss} vs ${want}`).toBe(true);
  });

  it('prints σ(−100) in scientific notation in the worked solution', () => {
    const md = solveToText({ problem: 'fixtures/lstm-saturated.yaml', format: 'md', out: null, decimals: 4, detail: 'full', precision: 64 }).text;
    expect(md).toContain('f_{1,1} &= \\sigma(-100) = \\frac{1}{1 + e^{ 100 }} \\approx 3.720 \\times 10^{-44}');
    expect(md).toContain('\\tilde{C}_{1,1} &= \\tanh(100) \\approx 1.0000');
    expect(md).not.toMatch(/\\sigma\(-100\) = \\frac\{1\}\{1 \+ e\^\{ 100 \}\} (=|\\approx) 0\b/);
  });
});

describe('other extreme but valid inputs', () => {
  const solveText = (text: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'unrolled-extreme-'));
    const file = join(dir, 'p.yaml');
    writeFileSync(file, text);
    return JSON.parse(solveToText({ problem: file, format: 'json', out: null, decimals: 4, detail: 'full', precision: 64 }).text) as { quantities: Record<string, unknown> };
  };

  it('zero vectors everywhere: σ(0) = 1/2 exactly, the loss log 2, every gradient of the recurrence exactly 0', () => {
    const q = solveText('model: {cell: lstm, hidden_size: 2}\n' +
      'params:\n' + ['f', 'i', 'c', 'o'].map((k) => `  W_${k}: [[0, 0, 0], [0, 0, 0]]\n  b_${k}: [0, 0]\n`).join('') +
      '  W_hy: [[0, 0]]\n  b_y: [0]\nhead: {activation: sigmoid, loss: bce}\ndata: [{inputs: [[0], [0], [0]], target: 1}]\n').quantities;
    expect(q['ex1.t3.yhat']).toEqual(['0.5']);
    expect(new D(q['loss'] as string).minus(new D(2).ln()).abs().lt('1e-63')).toBe(true);
    expect(q['ex1.t1.f']).toEqual(['0.5', '0.5']);
    expect(q['grad.W_f']).toEqual([['0', '0', '0'], ['0', '0', '0']]);
    expect(q['grad.W_hy']).toEqual([['0', '0']]);
  });

  it('a long sequence (250 timesteps) solves, with every timestep in the output', () => {
    const T = 250;
    const q = solveText(`model: {cell: rnn, hidden_size: 1}\nparams: {W_xh: [[0.5]], W_hh: [[0.9]], b_h: [0], W_hy: [[1]], b_y: [0]}\nhead: {activation: sigmoid, loss: bce, output_at: last}\ndata: [{inputs: [${Array.from({ length: T }, (_, i) => `[${i % 2 ? '0.1' : '-0.1'}]`).join(', ')}], target: 1}]\n`).quantities;
    expect(Object.keys(q).filter((id) => /^ex1\.t\d+\.h$/.test(id))).toHaveLength(T);
    // the gradient reaching t = 1 through 249 steps of 0.9 · (1 − h²) is vanishingly small, but not 0
    const dh1 = new D((q['ex1.t1.dh'] as string[])[0]!);
    expect(dh1.isZero()).toBe(false);
    expect(dh1.abs().lt('1e-10')).toBe(true);
  }, 60_000);
});
