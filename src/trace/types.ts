// The trace: plain data recorded by the engine and read by renderers and the checker.
// Nothing here computes; every value is stored exactly as the engine produced it.
import type { Num } from '../numeric/index.js';

export type Vec = Num[];
export type Mat = Num[][];
export type Value =
  | { kind: 'scalar'; x: Num }
  | { kind: 'vec'; x: Vec }
  | { kind: 'mat'; x: Mat };

/** Every entry of a value, a matrix row by row (reading the data, not computing). */
export const entriesOf = (v: Value): Num[] => (v.kind === 'scalar' ? [v.x] : v.kind === 'vec' ? v.x : v.x.flat());

/** Where a step lives: example n (1-based), timestep t (1-based) or the whole example. */
export interface Scope {
  ex: number;
  t: number | null;
}

/** An operand of a forward step. */
export type Arg =
  | { kind: 'step'; id: string }
  | { kind: 'param'; name: string; rows?: [number, number] }
  | { kind: 'const'; label: string; value: Value; detached?: boolean };

export type ParamArg = Extract<Arg, { kind: 'param' }>;

export type Activation = 'tanh' | 'sigmoid' | 'softmax' | 'identity';
export type LossKind = 'bce' | 'cross_entropy' | 'mse';

interface StepBase {
  /** quantity id (DESIGN §7), e.g. `ex1.t3.z`; internal steps (`v`, `r_hn`, …) have ids too */
  id: string;
  /** an intermediate with no quantity id of DESIGN §7: shown, but not in JSON or `check` */
  internal?: boolean;
  scope: Scope;
  /** the quantity's name within its scope: `z`, `h`, `yhat`, `loss`, ... */
  name: string;
  value: Value;
}

/** One product W·v inside an affine step, kept so a renderer can expand it term by term. */
export interface AffineTerm {
  W: ParamArg;
  v: Arg;
  product: Vec;
}

export type Step = StepBase &
  (
    | { op: 'embed'; token: string }
    | { op: 'input' }
    | { op: 'affine'; terms: AffineTerm[]; biases: ParamArg[]; addends: Arg[] }
    | { op: 'concat'; args: Arg[] }
    | { op: 'mix'; terms: MixTerm[] }
    | { op: Activation; arg: Arg; softmax?: { exps: Vec; total: Num } }
    | {
        op: 'loss';
        loss: LossKind;
        yhat: Arg;
        target: Vec;
        targetIndex: number | null;
        /** per output: bce [log ŷ, log(1 − ŷ)], cross_entropy [log ŷ], mse [ŷ − y]; null where weighted by 0 */
        pieces: (Num | null)[][];
      }
    | { op: 'sum'; args: Arg[]; scale: Num | null }
  );

/** One term a ⊙ b (or (1 − a) ⊙ b) of a mix step. */
export interface MixTerm {
  a: Arg;
  complement: boolean;
  b: Arg;
}

export type OpKind = Step['op'];

/** What a gradient flows into. */
export type Target = { kind: 'step'; id: string } | { kind: 'param'; name: string; rows?: [number, number] };

/**
 * One contribution to a gradient, produced by the local rule of one forward step.
 * `grad` is the id of the gradient flowing out of that step (e.g. `ex1.t3.dz`).
 */
export type Contribution = {
  /** the forward step whose rule produced this contribution */
  from: string;
  to: Target;
  value: Value;
} & (
  | { rule: 'outer'; grad: string; v: Arg } // dW += g vᵀ
  | { rule: 'matvecT'; grad: string; W: ParamArg } // dv += Wᵀ g
  | { rule: 'copy'; grad: string } // db += g, sums pass gradients through
  | { rule: 'tanh'; grad: string; y: string } // g ⊙ (1 − y²)
  | { rule: 'sigmoid'; grad: string; y: string } // g ⊙ y ⊙ (1 − y)
  | { rule: 'softmax'; grad: string; y: string; dot: Num } // y ⊙ (g − (y·g))
  | { rule: 'identity'; grad: string }
  | { rule: 'loss'; loss: LossKind; yhat: string; target: Vec; targetIndex: number | null }
  | { rule: 'sum'; grad: string; scale: Num | null }
  | { rule: 'slice'; grad: string; range: [number, number] } // (g)_{range}: concat → one part
  // mix → a: ± g ⊙ b;  mix → b: g ⊙ a or g ⊙ (1 − a)
  | { rule: 'mix'; grad: string; role: 'a' | 'b'; other: Arg; complement: boolean }
);

export type Rule = Contribution['rule'];

/** A total gradient: the sum of its contributions. */
export interface GradStep {
  /** the gradient of an internal step */
  internal?: boolean;
  /** `ex1.t3.dh`, `ex1.t3.dW_xh` (this timestep's contribution), `ex1.dW_xh`, `ex1.demb.i` */
  id: string;
  scope: Scope;
  /** `node`: ∂L/∂(forward quantity); `param`: a parameter's contribution in this scope */
  kind: 'node' | 'param';
  /** the forward quantity id or the parameter name */
  of: string;
  parts: Contribution[];
  value: Value;
}

/** A sum of named quantities: per-example totals, embedding gradients, batch gradients. */
export interface Total {
  id: string;
  /** the ids summed, in order */
  of: string[];
  /** 1/N for reduction: mean, else null */
  scale: Num | null;
  value: Value;
}

/** θ − η g */
export interface Update {
  id: string;
  param: string; // parameter name, or `emb.<token>`
  before: Value;
  grad: string; // id of the gradient used
  value: Value;
}

/**
 * Gradient clipping by the global norm (`clip_norm: m`, DESIGN §6): ‖g‖ over every entry of
 * every parameter gradient (embeddings excluded), and g·m/‖g‖ when ‖g‖ > m.
 */
export interface Clip {
  /** clip_norm */
  m: Num;
  /** `grad.norm` */
  id: string;
  /** per parameter, in parameter order: its gradient's id, the squares of its entries (row by row) and their sum */
  params: { param: string; grad: string; squares: Num[]; sum: Num }[];
  /** Σ of every square: ‖g‖² */
  total: Num;
  /** ‖g‖ (after hand rounding / substitution: the value the comparison and the factor use) */
  norm: Num;
  /** m/‖g‖ when ‖g‖ > m; null when nothing is clipped */
  factor: Num | null;
  /** `grad.clipped.<Param>` = factor × `grad.<Param>` (the gradient itself when not clipped) */
  clipped: { id: string; param: string; grad: string; value: Value }[];
}

export interface ParamInfo {
  name: string;
  shape: [number] | [number, number];
  value: Value;
  /** head parameters (W_hy, b_y) vs the cell's */
  role: 'cell' | 'head';
}

export interface ExampleTrace {
  index: number;
  /** tokens when the example is text, else null */
  tokens: string[] | null;
  /** the target as written: per output step (one entry for output_at: last) */
  targets: { t: number; target: Vec; targetIndex: number | null }[];
  length: number;
  forward: Step[];
  /** in the order the reverse walk produced them: last timestep first */
  backward: GradStep[];
  /** ex<n>.d<Param> (sums over timesteps) */
  paramTotals: Total[];
  /** ex<n>.demb.<token> */
  embTotals: Total[];
  loss: string; // id of the example loss step
}

export interface Trace {
  title: string | null;
  source: string; // file name
  cell: 'rnn' | 'lstm' | 'gru';
  convention: 'textbook' | 'pytorch';
  /** pytorch convention: the gates stacked in weight_ih/weight_hh, in row order */
  gates: string[] | null;
  /** canonical parameter name → the name as the problem file writes it (`weight_ih_l0`) */
  paramNames: Map<string, string>;
  hidden: number;
  /** stacked layers (DESIGN §5) */
  layers: number;
  /** a reverse direction in every layer (DESIGN §5) */
  bidirectional: boolean;
  inputDim: number;
  outputDim: number;
  head: { activation: Activation; loss: LossKind; outputAt: 'last' | 'every' };
  vocabulary: { token: string; value: Vec }[];
  params: ParamInfo[];
  initial: { name: string; value: Vec; given: boolean }[];
  /** the names of the state carried between timesteps: ['h'] or ['h', 'c'] */
  state: string[];
  training: {
    reduction: 'sum' | 'mean';
    learningRate: Num | null;
    trainEmbeddings: boolean;
    truncate: number | null;
    clipNorm: Num | null;
  };
  /**
   * With truncated BPTT: for each batch gradient (grad.<Param>, grad.emb.<token>), what full
   * BPTT would have given and what truncation left out (full − truncated). Null without.
   */
  fullBptt: Map<string, { full: Value; missing: Value }> | null;
  precision: number;
  /** hand arithmetic: every computed quantity was rounded to this many decimals; null = exact */
  hand: number | null;
  examples: ExampleTrace[];
  batch: {
    loss: Total;
    grads: Total[];
    embGrads: Total[];
    /** with clip_norm: the global norm and the clipped parameter gradients; null without */
    clip: Clip | null;
    updates: Update[];
  };
  /** every public quantity id → value, in solution order */
  quantities: Map<string, Value>;
}
