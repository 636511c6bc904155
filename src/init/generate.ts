// The problem file `unrolled init` writes: a small, complete, commented problem whose every
// number (parameters, embeddings, initial state) has one decimal place, from −0.5 to 0.5 and
// never 0, so that a student can do every product by hand. All randomness comes from
// src/generate/random.ts: the same options give the same bytes on every machine.
//
// Each part is drawn from its own stream (seedOf('unrolled init', seed, part, …)), so that
// changing one option changes only what depends on it: the sentences depend on the seed
// alone, an embedding on the seed, its token and D, the parameters on everything.
import { cells, headParams, type ParamSpec } from '../engine/cells/index.js';
import type { CellKind, Convention } from '../problem/types.js';
import { decimalGrid, Draw, seedOf, type DecimalGrid } from '../generate/random.js';

export const CELLS = ['rnn', 'lstm', 'gru'] as const;
export const CONVENTIONS = ['textbook', 'pytorch'] as const;
/** Sizes a student can still work through by hand. */
export const SIZE_LIMITS = { hidden: [1, 8], embed: [1, 8] } as const;
export const DEFAULTS = { cell: 'rnn', convention: 'textbook', hidden: 2, embed: 3 } as const;

export interface InitOptions {
  cell: CellKind;
  convention: Convention;
  hidden: number;
  embed: number;
  /** the seed as the user gave it (or as it was drawn), recorded in the header */
  seed: string;
  /** also draw a nonzero initial state (h0, and c0 for an LSTM) instead of zeros */
  initialState: boolean;
}

/**
 * Short sentences, 2–4 tokens each. One positive and one negative are drawn, the negative
 * among those sharing a word with the positive (so that a gradient adds up over both).
 */
export const POSITIVE = [
  'i love this film',
  'i love this book',
  'a great film',
  'this book is great',
  'what a good film',
  'i like it',
  'really good',
  'so great',
] as const;
export const NEGATIVE = [
  'i hate this film',
  'i hate this book',
  'a bad film',
  'this book is boring',
  'what a dull film',
  'i hate it',
  'not good',
  'really bad',
  'so boring',
] as const;

/** Negative sentences sharing at least one token with `pos`. */
export function partners(pos: string): string[] {
  const words = new Set(pos.split(' '));
  return NEGATIVE.filter((n) => n.split(' ').some((w) => words.has(w)));
}

/** The one-decimal grid: ±0.1 … ±0.5. */
export const GRID: DecimalGrid = (() => {
  const g = decimalGrid('-0.5', '0.5', 1, true);
  if (typeof g === 'string') throw new Error(g);
  return g;
})();

const CELL_TITLE: Record<CellKind, string> = { rnn: 'Vanilla RNN', lstm: 'LSTM', gru: 'GRU' };
const CELL_A: Record<CellKind, string> = { rnn: 'a vanilla RNN', lstm: 'an LSTM', gru: 'a GRU' };

/** The command line that reproduces these options (the header's first line). */
export function commandLine(o: InitOptions): string {
  const parts = ['unrolled init', `--cell ${o.cell}`, `--convention ${o.convention}`, `--hidden ${o.hidden}`, `--embed ${o.embed}`, `--seed ${o.seed}`];
  if (o.initialState) parts.push('--initial-state');
  return parts.join(' ');
}

/** What each parameter is, by cell and convention (the shape comes from the cell's spec). */
const MEANING: Record<CellKind, Record<Convention, Record<string, string>>> = {
  rnn: {
    textbook: { W_xh: 'input to hidden', W_hh: 'hidden to hidden (the recurrence)', b_h: 'hidden bias' },
    pytorch: {
      weight_ih: 'input to hidden (W_ih)',
      weight_hh: 'hidden to hidden (W_hh)',
      bias_ih: 'input-side bias (b_ih)',
      bias_hh: 'hidden-side bias (b_hh); the two biases are added',
    },
  },
  lstm: {
    textbook: {
      W_f: 'forget gate f, acting on [h_{t-1}; x_t]',
      b_f: 'forget gate bias',
      W_i: 'input gate i, acting on [h_{t-1}; x_t]',
      b_i: 'input gate bias',
      W_c: 'candidate cell C̃ (tanh), acting on [h_{t-1}; x_t]',
      b_c: 'candidate cell bias',
      W_o: 'output gate o, acting on [h_{t-1}; x_t]',
      b_o: 'output gate bias',
    },
    pytorch: {
      weight_ih: 'input to the four gates, stacked',
      weight_hh: 'hidden to the four gates, stacked',
      bias_ih: 'input-side biases of the four gates, stacked',
      bias_hh: 'hidden-side biases of the four gates, stacked; added to bias_ih',
    },
  },
  gru: {
    textbook: {
      W_z: 'update gate z, acting on [h_{t-1}; x_t]',
      b_z: 'update gate bias',
      W_r: 'reset gate r, acting on [h_{t-1}; x_t]',
      b_r: 'reset gate bias',
      W_h: 'candidate h̃ (tanh), acting on [r_t ⊙ h_{t-1}; x_t]',
      b_h: 'candidate bias',
    },
    pytorch: {
      weight_ih: 'input to the three gates, stacked',
      weight_hh: 'hidden to the three gates, stacked',
      bias_ih: 'input-side biases of the three gates, stacked',
      bias_hh: 'hidden-side biases, stacked (b_hn stays inside r ⊙ (…))',
    },
  },
};

/** The equations, as comment lines above `params`. */
const EQUATIONS: Record<CellKind, Record<Convention, string[]>> = {
  rnn: {
    textbook: ['h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h)'],
    pytorch: ['h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)   (torch.nn.RNN)'],
  },
  lstm: {
    textbook: [
      'v_t = [h_{t-1}; x_t]: in each W_*, the first H columns multiply h_{t-1}, the last D multiply x_t',
      'f_t = σ(W_f v_t + b_f), i_t = σ(W_i v_t + b_i), C̃_t = tanh(W_c v_t + b_c), o_t = σ(W_o v_t + b_o)',
      'c_t = f_t ⊙ c_{t-1} + i_t ⊙ C̃_t,  h_t = o_t ⊙ tanh(c_t)',
    ],
    pytorch: [
      'torch.nn.LSTM state dict (weight_ih_l0 etc. are accepted too): the gate rows are stacked',
      'in PyTorch\'s order i, f, g, o, H rows each; pre-activations W_ih x_t + b_ih + W_hh h_{t-1} + b_hh',
      'i, f, o = σ(…), g = tanh(…);  c_t = f ⊙ c_{t-1} + i ⊙ g,  h_t = o ⊙ tanh(c_t)',
    ],
  },
  gru: {
    textbook: [
      'v_t = [h_{t-1}; x_t]: in each W_*, the first H columns multiply h_{t-1}, the last D multiply x_t',
      'z_t = σ(W_z v_t + b_z), r_t = σ(W_r v_t + b_r), h̃_t = tanh(W_h [r_t ⊙ h_{t-1}; x_t] + b_h)',
      'h_t = (1 − z_t) ⊙ h_{t-1} + z_t ⊙ h̃_t',
    ],
    pytorch: [
      'torch.nn.GRU state dict (weight_ih_l0 etc. are accepted too): the gate rows are stacked',
      'in PyTorch\'s order r, z, n, H rows each',
      'r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz)',
      'n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}',
    ],
  },
};

/** A dimension of a spec as a symbol: hidden_size → H, input dim → D, 4·hidden_size → 4H. */
function symbol(dim: string): string {
  const s = dim
    .replace(/hidden_size/g, 'H')
    .replace(/input dim/g, 'D')
    .replace(/outputs/g, 'O')
    .replace(/(\d)·H/g, '$1H')
    .replace(/ \+ /g, '+');
  return s;
}

/** `W_xh: H×D = 2×3` */
function shapeText(spec: ParamSpec, O: number): string {
  const sym = spec.dims.map(symbol).join('×').replace(/\bO\b/g, String(O));
  const num = spec.shape.join('×');
  return sym === num ? `${spec.name}: ${num}` : `${spec.name}: ${sym} = ${num}`;
}

/** A number padded to the width of `-0.5`, so that columns line up. */
const pad = (x: string) => x.padStart(4, ' ');
const flow = (xs: string[]) => `[${xs.map(pad).join(', ')}]`;

/** The problem file, as YAML text with comments. Pure: the same options give the same text. */
export function generateProblem(o: InitOptions): string {
  const cell = cells[o.cell][o.convention];
  const H = o.hidden;
  const D = o.embed;
  const O = 1;

  // the data: one positive and one negative sentence, in a drawn order
  const dataDraw = new Draw(seedOf('unrolled init', o.seed, 'data'));
  const pos = dataDraw.pick(POSITIVE);
  const neg = dataDraw.pick(partners(pos));
  const examples = dataDraw.int(0, 1) === 0 ? [{ text: pos, target: 1 }, { text: neg, target: 0 }] : [{ text: neg, target: 0 }, { text: pos, target: 1 }];
  const tokens: string[] = [];
  for (const e of examples) for (const w of e.text.split(' ')) if (!tokens.includes(w)) tokens.push(w);

  // the numbers
  const embedding = (tok: string) => new Draw(seedOf('unrolled init', o.seed, 'embedding', tok, D)).vector(GRID, D);
  const paramDraw = new Draw(seedOf('unrolled init', o.seed, 'params', o.cell, o.convention, H, D));
  const specs = cell.params(H, D);
  const head = headParams(O, H);

  const L: string[] = [];
  const c = (text = '') => L.push(text ? `# ${text}` : '#');
  const line = (text = '') => L.push(text);

  c(`generated by: ${commandLine(o)}`);
  c();
  c(`A practice problem for unrolled: ${CELL_A[o.cell]} (${o.convention} convention) reads two short`);
  c('sentences and predicts their sentiment (1 = positive, 0 = negative) at the last token.');
  c('Every number has one decimal place, so each product can be worked out by hand.');
  c(`Sizes: H = hidden_size = ${H}, D = embedding dimension = ${D}, one output.`);
  c();
  c('What next (if this file is problem.yaml):');
  c('  unrolled solve problem.yaml                  the worked solution, in out/problem.md');
  c('  unrolled solve problem.yaml --format json    every quantity by id, to mark answers with');
  c('  unrolled check problem.yaml answers.yaml     check your own answers (ids as in the JSON)');
  c('Change any number, sentence or target you like: `unrolled solve` says what no longer fits.');
  line();
  line(`title: "${CELL_TITLE[o.cell]} (${o.convention} convention): sentiment of two short sentences"`);
  line();
  c('model: the recurrent cell, its size and the names its parameters go by.');
  line('model:');
  line(`  cell: ${o.cell}`.padEnd(26) + '# rnn | lstm | gru');
  line(`  hidden_size: ${H}`.padEnd(26) + '# H, the length of h_t');
  line(`  convention: ${o.convention}`.padEnd(26) + '# textbook (W_xh, W_f, …) | pytorch (torch.nn state-dict names)');
  line();
  c(`embeddings: a vector x_t of D = ${D} numbers for each token the sentences use.`);
  line('embeddings:');
  const width = Math.max(...tokens.map((t) => t.length)) + 1;
  for (const tok of tokens) line(`  ${(tok + ':').padEnd(width)} ${flow(embedding(tok))}`);
  line();
  c('params: the cell\'s weights and biases, then the output head. One matrix row per line.');
  for (const eq of EQUATIONS[o.cell][o.convention]) c(`  ${eq}`);
  line('params:');
  const gates = cell.gates;
  for (const spec of specs) {
    const meaning = MEANING[o.cell][o.convention][spec.name];
    let note = '';
    if (gates) {
      const ranges = gates.map((g, k) => (H === 1 ? `${g} ${k + 1}` : `${g} ${k * H + 1}–${(k + 1) * H}`)).join(', ');
      note = `; ${spec.shape.length === 2 ? 'rows' : 'entries'} ${ranges}`;
    }
    line(`  # ${shapeText(spec, O)}, ${meaning ?? spec.name}${note}`);
    writeParam(line, spec, paramDraw, gates, H);
  }
  line(`  # ${shapeText(head[0]!, O)}, hidden state to the output score s = W_hy h_T + b_y (at the last token)`);
  writeParam(line, head[0]!, paramDraw, null, H);
  line(`  # ${shapeText(head[1]!, O)}, output bias`);
  writeParam(line, head[1]!, paramDraw, null, H);
  line();
  c('head: the prediction ŷ = σ(s_T) at the last token, and the loss −[y log ŷ + (1 − y) log(1 − ŷ)].');
  line('head:');
  line('  activation: sigmoid'.padEnd(26) + '# sigmoid | softmax | identity');
  line('  loss: bce'.padEnd(26) + '# bce (binary cross-entropy) | cross_entropy | mse');
  line('  output_at: last'.padEnd(26) + '# last: one prediction per sentence | every: one per token');
  line();
  c('data: the examples. A sentence is split on spaces; every token needs an embedding above.');
  c('The loss of the batch is the sum of the examples\' losses.');
  line('data:');
  for (const e of examples) {
    line(`  - text: "${e.text}"`);
    line(`    target: ${e.target}`.padEnd(26) + `# ${e.target === 1 ? 'positive' : 'negative'}`);
  }
  line();
  const states = cell.state.map((s) => `${s}0`);
  if (o.initialState) {
    const stateDraw = new Draw(seedOf('unrolled init', o.seed, 'initial_state', o.cell, H));
    c(`initial_state: the state before the first token (${states.join(' and ')}, H = ${H} numbers${states.length > 1 ? ' each' : ''}).`);
    line('initial_state:');
    for (const s of states) line(`  ${s}: ${flow(stateDraw.vector(GRID, H))}`);
  } else {
    c(`initial_state: left out, so ${states.join(' and ')} ${states.length === 1 ? 'is a zero vector' : 'are zero vectors'}. To start elsewhere, e.g.:`);
    c(`initial_state: {${states.map((s) => `${s}: [${Array.from({ length: H }, () => '0.1').join(', ')}]`).join(', ')}}`);
  }
  line();
  c('training: after the gradients, the solution shows one SGD step θ ← θ − learning_rate · ∂L/∂θ.');
  line('training: {learning_rate: 0.1}');
  return L.join('\n') + '\n';
}

function writeParam(line: (t: string) => void, spec: ParamSpec, d: Draw, gates: string[] | null, H: number): void {
  if (spec.shape.length === 1) {
    line(`  ${spec.name}: ${flow(d.vector(GRID, spec.shape[0]))}`);
    return;
  }
  const [rows, cols] = spec.shape;
  line(`  ${spec.name}:`);
  const m = d.matrix(GRID, rows, cols);
  m.forEach((row, r) => {
    const gate = gates ? `    # ${gates[Math.floor(r / H)]}` : '';
    line(`    - ${flow(row)}${gate}`);
  });
}
