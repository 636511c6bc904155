// Vanilla RNN, forward equations only (the gradients come from the ops' local rules).
//   z_t = W_xh x_t + W_hh h_{t−1} + b_h
//   h_t = tanh(z_t)
import type { Cell } from './cell.js';

export const rnn: Cell = {
  kind: 'rnn',
  params: (H, D) => [
    { name: 'W_xh', shape: [H, D], dims: ['hidden_size', 'input dim'] },
    { name: 'W_hh', shape: [H, H], dims: ['hidden_size', 'hidden_size'] },
    { name: 'b_h', shape: [H], dims: ['hidden_size'] },
  ],
  state: ['h'],
  step(g, x, prev) {
    const z = g.affine('z', [[g.p('W_xh'), x], [g.p('W_hh'), prev.h!]], [g.p('b_h')]);
    const h = g.apply('tanh', 'h', z);
    return { h };
  },
};
