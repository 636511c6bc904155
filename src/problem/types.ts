import type { Num } from '../numeric/index.js';
import type { Activation, LossKind, Vec, Mat } from '../trace/types.js';

export type CellKind = 'rnn' | 'lstm' | 'gru';
export type Convention = 'textbook' | 'pytorch';

export interface Example {
  /** tokens for `text:` examples, null for raw `inputs:` */
  tokens: string[] | null;
  inputs: Vec[];
  /** one target per output step: for output_at last a single entry at t = T */
  targets: { t: number; target: Vec; targetIndex: number | null }[];
}

/** The validated problem, in the user's own names. */
export interface Problem {
  file: string;
  title: string | null;
  cell: CellKind;
  convention: Convention;
  hidden: number;
  /** stacked layers (DESIGN §5), 1 to 4 */
  layers: number;
  /** a reverse direction in every layer (DESIGN §5) */
  bidirectional: boolean;
  inputDim: number;
  outputDim: number;
  embeddings: Map<string, Vec>;
  /** by canonical name (`weight_ih`, never `weight_ih_l0`; `weight_ih_l1_reverse`) */
  params: Map<string, Vec | Mat>;
  /** canonical name → the name as written in the file */
  paramNames: Map<string, string>;
  head: { activation: Exclude<Activation, 'tanh'>; loss: LossKind; outputAt: 'last' | 'every' };
  examples: Example[];
  /** by canonical name: `h0`, `c0`, `h0_l1`, `h0_reverse`, `h0_l1_reverse` */
  initial: Map<string, { value: Vec; given: boolean }>;
  training: {
    reduction: 'sum' | 'mean';
    learningRate: Num | null;
    trainEmbeddings: boolean;
    /** truncated BPTT: the state is detached every `truncate` steps (DESIGN §6); null = full BPTT */
    truncate: number | null;
    /** clip the global norm of the parameter gradients to this (DESIGN §6); null = no clipping */
    clipNorm: Num | null;
  };
}
