// GRU, forward equations only. The two conventions are different functions: the textbook
// resets h_{t−1} before the matrix product and lets z weight the candidate; PyTorch resets
// W_hn h_{t−1} + b_hn and lets z weight the old state.
import { gateParams, gateRows, torchParams, type Cell } from './cell.js';

export const gruTextbook: Cell = {
  kind: 'gru',
  convention: 'textbook',
  params: (H, D) => gateParams([['W_z', 'b_z'], ['W_r', 'b_r'], ['W_h', 'b_h']], H, D),
  state: ['h'],
  gates: null,
  step(g, x, prev) {
    const v = g.concat('v', [prev.h!, x]); // v_t = [h_{t−1}; x_t]
    const z = g.apply('sigmoid', 'z', g.affine('z_pre', [[g.p('W_z'), v]], [g.p('b_z')])); // z_t = σ(W_z v_t + b_z)
    const r = g.apply('sigmoid', 'r', g.affine('r_pre', [[g.p('W_r'), v]], [g.p('b_r')])); // r_t = σ(W_r v_t + b_r)
    const rh = g.mix('rh', [{ a: r, complement: false, b: prev.h! }], true); // r_t ⊙ h_{t−1}
    const vr = g.concat('v_r', [rh, x]); // [r_t ⊙ h_{t−1}; x_t]
    const n = g.apply('tanh', 'n', g.affine('n_pre', [[g.p('W_h'), vr]], [g.p('b_h')])); // h̃_t = tanh(W_h [r ⊙ h; x] + b_h)
    const h = g.mix('h', [{ a: z, complement: true, b: prev.h! }, { a: z, complement: false, b: n }]); // h_t = (1 − z) ⊙ h_{t−1} + z ⊙ h̃_t
    return { h };
  },
};

/** torch.nn.GRU: weight_ih (3H×D), weight_hh (3H×H), bias_ih, bias_hh (3H); gate rows r, z, n. */
export const gruPytorch: Cell = {
  kind: 'gru',
  convention: 'pytorch',
  params: (H, D) => torchParams(3, H, D),
  state: ['h'],
  gates: ['r', 'z', 'n'],
  step(g, x, prev) {
    const [R, Z, N] = [0, 1, 2].map((k) => gateRows(k, g.hidden)) as [[number, number], [number, number], [number, number]];
    const gate = (name: string, rows: [number, number]) =>
      g.apply('sigmoid', name, g.affine(`${name}_pre`, [[g.p('weight_ih', rows), x], [g.p('weight_hh', rows), prev.h!]], [g.p('bias_ih', rows), g.p('bias_hh', rows)]));
    const r = gate('r', R); // r_t = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr)
    const z = gate('z', Z); // z_t = σ(W_iz x_t + b_iz + W_hz h_{t−1} + b_hz)
    const hn = g.affine('hn', [[g.p('weight_hh', N), prev.h!]], [g.p('bias_hh', N)]); // hn_t = W_hn h_{t−1} + b_hn
    const rhn = g.mix('r_hn', [{ a: r, complement: false, b: hn }], true); // r_t ⊙ hn_t
    const n = g.apply('tanh', 'n', g.affine('n_pre', [[g.p('weight_ih', N), x]], [g.p('bias_ih', N)], [rhn])); // n_t = tanh(W_in x_t + b_in + r_t ⊙ hn_t)
    const h = g.mix('h', [{ a: z, complement: true, b: n }, { a: z, complement: false, b: prev.h! }]); // h_t = (1 − z) ⊙ n_t + z ⊙ h_{t−1}
    return { h };
  },
};
