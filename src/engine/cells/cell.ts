import type { Arg } from '../../trace/types.js';
import type { Recorder } from '../recorder.js';
import type { CellKind } from '../../problem/types.js';

export interface ParamSpec {
  name: string;
  shape: [number] | [number, number];
  /** what each dimension is, for messages: ['hidden_size', 'input dim'] */
  dims: [string] | [string, string];
}

/** A recurrent cell: its parameters and its forward equations, one line each. */
export interface Cell {
  kind: CellKind;
  /** the cell's parameters for hidden size H and input dimension D */
  params(H: number, D: number): ParamSpec[];
  /** state vectors carried between timesteps; `h` is the one the head reads */
  state: string[];
  step(g: Recorder, x: Arg, prev: Record<string, Arg>): Record<string, Arg>;
}

/** The output head: s_t = W_hy h_t + b_y. */
export const headParams = (O: number, H: number): ParamSpec[] => [
  { name: 'W_hy', shape: [O, H], dims: ['outputs', 'hidden_size'] },
  { name: 'b_y', shape: [O], dims: ['outputs'] },
];
