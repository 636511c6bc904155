import type { Arg } from '../../trace/types.js';
import type { Recorder } from '../recorder.js';
import type { CellKind, Convention } from '../../problem/types.js';

export interface ParamSpec {
  name: string;
  shape: [number] | [number, number];
  /** what each dimension is, for messages: ['hidden_size', 'input dim'] */
  dims: [string] | [string, string];
}

/** A recurrent cell in one convention: its parameters and its forward equations, one line each. */
export interface Cell {
  kind: CellKind;
  convention: Convention;
  /** the cell's parameters for hidden size H and input dimension D */
  params(H: number, D: number): ParamSpec[];
  /** state vectors carried between timesteps; `h` is the one the head reads */
  state: string[];
  /** pytorch: the gates stacked in weight_ih / weight_hh, in row order */
  gates: string[] | null;
  step(g: Recorder, x: Arg, prev: Record<string, Arg>): Record<string, Arg>;
}

/** The output head: s_t = W_hy h_t + b_y. */
export const headParams = (O: number, H: number): ParamSpec[] => [
  { name: 'W_hy', shape: [O, H], dims: ['outputs', 'hidden_size'] },
  { name: 'b_y', shape: [O], dims: ['outputs'] },
];

/** torch.nn's stacked parameters: weight_ih (kH×D), weight_hh (kH×H), bias_ih, bias_hh (kH). */
export const torchParams = (k: number, H: number, D: number): ParamSpec[] => {
  // `4·hidden_size`, not `4 × hidden_size`: the message joins the dimensions with ×
  const rows = k === 1 ? 'hidden_size' : `${k}·hidden_size`;
  return [
    { name: 'weight_ih', shape: [k * H, D], dims: [rows, 'input dim'] },
    { name: 'weight_hh', shape: [k * H, H], dims: [rows, 'hidden_size'] },
    { name: 'bias_ih', shape: [k * H], dims: [rows] },
    { name: 'bias_hh', shape: [k * H], dims: [rows] },
  ];
};

/** Textbook gate weights act on v_t = [h_{t−1}; x_t]: H × (H + D). */
export const gateParams = (names: [string, string][], H: number, D: number): ParamSpec[] =>
  names.flatMap(([W, b]): ParamSpec[] => [
    { name: W, shape: [H, H + D], dims: ['hidden_size', '(hidden_size + input dim)'] },
    { name: b, shape: [H], dims: ['hidden_size'] },
  ]);

/** Rows of gate k (0-based) in a stacked torch parameter. */
export const gateRows = (k: number, H: number): [number, number] => [k * H, (k + 1) * H];
