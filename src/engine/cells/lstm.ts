// LSTM, forward equations only.
import type { Arg } from '../../trace/types.js';
import type { Recorder } from '../recorder.js';
import { gateParams, gateRows, torchParams, type Cell } from './cell.js';

/** The part shared by both conventions: the cell state and the output. */
function update(g: Recorder, prev: Record<string, Arg>, f: Arg, i: Arg, cand: Arg, o: Arg) {
  const c = g.mix('c', [{ a: f, complement: false, b: prev.c! }, { a: i, complement: false, b: cand }]); // c_t = f ⊙ c_{t−1} + i ⊙ g
  const tc = g.apply('tanh', 'tanh_c', c); // tanh(c_t)
  const h = g.mix('h', [{ a: o, complement: false, b: tc }]); // h_t = o ⊙ tanh(c_t)
  return { h, c };
}

export const lstmTextbook: Cell = {
  kind: 'lstm',
  convention: 'textbook',
  params: (H, D) => gateParams([['W_f', 'b_f'], ['W_i', 'b_i'], ['W_c', 'b_c'], ['W_o', 'b_o']], H, D),
  state: ['h', 'c'],
  gates: null,
  step(g, x, prev) {
    const v = g.concat('v', [prev.h!, x]); // v_t = [h_{t−1}; x_t]
    const f = g.apply('sigmoid', 'f', g.affine('f_pre', [[g.p('W_f'), v]], [g.p('b_f')])); // f_t = σ(W_f v_t + b_f)
    const i = g.apply('sigmoid', 'i', g.affine('i_pre', [[g.p('W_i'), v]], [g.p('b_i')])); // i_t = σ(W_i v_t + b_i)
    const cand = g.apply('tanh', 'g', g.affine('g_pre', [[g.p('W_c'), v]], [g.p('b_c')])); // C̃_t = tanh(W_c v_t + b_c)
    const o = g.apply('sigmoid', 'o', g.affine('o_pre', [[g.p('W_o'), v]], [g.p('b_o')])); // o_t = σ(W_o v_t + b_o)
    return update(g, prev, f, i, cand, o);
  },
};

/** torch.nn.LSTM: weight_ih (4H×D), weight_hh (4H×H), bias_ih, bias_hh (4H); gate rows i, f, g, o. */
export const lstmPytorch: Cell = {
  kind: 'lstm',
  convention: 'pytorch',
  params: (H, D) => torchParams(4, H, D),
  state: ['h', 'c'],
  gates: ['i', 'f', 'g', 'o'],
  step(g, x, prev) {
    const gate = (name: string, k: number, act: 'sigmoid' | 'tanh') => {
      const rows = gateRows(k, g.hidden);
      // name_pre = W_i· x_t + W_h· h_{t−1} + b_i· + b_h·
      const pre = g.affine(`${name}_pre`, [[g.p('weight_ih', rows), x], [g.p('weight_hh', rows), prev.h!]], [g.p('bias_ih', rows), g.p('bias_hh', rows)]);
      return g.apply(act, name, pre);
    };
    const i = gate('i', 0, 'sigmoid'); // i_t = σ(…)
    const f = gate('f', 1, 'sigmoid'); // f_t = σ(…)
    const cand = gate('g', 2, 'tanh'); // g_t = tanh(…)
    const o = gate('o', 3, 'sigmoid'); // o_t = σ(…)
    return update(g, prev, f, i, cand, o);
  },
};
