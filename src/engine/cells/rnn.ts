// Vanilla RNN, forward equations only (the gradients come from the ops' local rules).
import type { Cell } from './cell.js';
import { torchParams } from './cell.js';

export const rnnTextbook: Cell = {
  kind: 'rnn',
  convention: 'textbook',
  params: (H, D) => [
    { name: 'W_xh', shape: [H, D], dims: ['hidden_size', 'input dim'] },
    { name: 'W_hh', shape: [H, H], dims: ['hidden_size', 'hidden_size'] },
    { name: 'b_h', shape: [H], dims: ['hidden_size'] },
  ],
  state: ['h'],
  gates: null,
  step(g, x, prev) {
    const z = g.affine('z', [[g.p('W_xh'), x], [g.p('W_hh'), prev.h!]], [g.p('b_h')]); // z_t = W_xh x_t + W_hh h_{t−1} + b_h
    const h = g.apply('tanh', 'h', z); // h_t = tanh(z_t)
    return { h };
  },
};

/** torch.nn.RNN: two biases. */
export const rnnPytorch: Cell = {
  kind: 'rnn',
  convention: 'pytorch',
  params: (H, D) => torchParams(1, H, D),
  state: ['h'],
  gates: null,
  step(g, x, prev) {
    // z_t = W_ih x_t + W_hh h_{t−1} + b_ih + b_hh
    const z = g.affine('z', [[g.p('weight_ih'), x], [g.p('weight_hh'), prev.h!]], [g.p('bias_ih'), g.p('bias_hh')]);
    const h = g.apply('tanh', 'h', z); // h_t = tanh(z_t)
    return { h };
  },
};
