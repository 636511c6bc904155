// Problem-file validation (DESIGN §4, §8): every bad input is an InputError with one line per
// problem, each naming the file (with line:col where there is one), the field, and what is
// wrong; valid variants (JSON, fractions, raw inputs, h0) load to the right Problem.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cli, escapeRegExp } from '../helpers/cli.js';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Numeric } from '../../src/numeric/index.js';
import { loadProblem, validate, LIMITS } from '../../src/problem/validate.js';
import { parseSource } from '../../src/problem/source.js';
import { InputError, closest, didYouMean, editDistance, formatProblem } from '../../src/problem/errors.js';
import { solve } from '../../src/engine/solve.js';
import type { Mat, Value, Vec } from '../../src/trace/types.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const n = Numeric.at(64);
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'unrolled-validate-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small valid problem; each bad case edits one thing. */
const BASE = `title: "two words"
model:
  cell: rnn
  hidden_size: 2
embeddings:
  good: [0.1, 0.2]
  bad: [0.3, 0.4]
params:
  W_xh: [[0.1, 0.2], [0.3, 0.4]]
  W_hh: [[0.1, 0.2], [0.3, 0.4]]
  b_h: [0.1, 0.2]
  W_hy: [[0.5, 0.6]]
  b_y: [0.1]
head:
  activation: sigmoid
  loss: bce
  output_at: last
data:
  - text: "good bad"
    target: 1
`;

/** BASE with a two-class softmax head. */
const SOFTMAX = BASE.replace('activation: sigmoid', 'activation: softmax')
  .replace('loss: bce', 'loss: cross_entropy')
  .replace('W_hy: [[0.5, 0.6]]', 'W_hy: [[0.5, 0.6], [0.1, 0.2]]')
  .replace('b_y: [0.1]', 'b_y: [0.1, 0.2]')
  .replace('target: 1', 'target: 0');

/** BASE as a textbook LSTM: four gates, each W H×(H+D) acting on [h; x], and a bias. */
const LSTM = BASE.replace('cell: rnn', 'cell: lstm').replace(
  /  W_xh:[\s\S]*?  b_h: \[0.1, 0.2\]\n/,
  ['f', 'i', 'c', 'o'].map((k) => `  W_${k}: [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]]\n  b_${k}: [0.1, 0.2]\n`).join(''),
);

/** BASE as a torch.nn.GRU state dict: weight_ih 3H×D, weight_hh 3H×H, bias_ih, bias_hh 3H (rows r, z, n). */
const GRU_PT = BASE.replace('cell: rnn', 'cell: gru\n  convention: pytorch').replace(
  /  W_xh:[\s\S]*?  b_h: \[0.1, 0.2\]\n/,
  '  weight_ih: [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6], [0.7, 0.8], [0.9, 1], [1.1, 1.2]]\n' +
    '  weight_hh: [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6], [0.7, 0.8], [0.9, 1], [1.1, 1.2]]\n' +
    '  bias_ih: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]\n' +
    '  bias_hh: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]\n',
);

/** BASE as a torch.nn.LSTM state dict with torch's `_l0` names: 4H rows, gates i, f, g, o. */
const LSTM_PT = BASE.replace('cell: rnn', 'cell: lstm\n  convention: pytorch').replace(
  /  W_xh:[\s\S]*?  b_h: \[0.1, 0.2\]\n/,
  `  weight_ih_l0: [${Array.from({ length: 8 }, (_, i) => `[0.${i + 1}, -0.${i + 1}]`).join(', ')}]\n` +
    `  weight_hh_l0: [${Array.from({ length: 8 }, (_, i) => `[-0.${i + 1}, 0.${8 - i}]`).join(', ')}]\n` +
    '  bias_ih_l0: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]\n' +
    '  bias_hh_l0: [0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05]\n',
);

function edit(from: string, to: string, base = BASE): string {
  if (!base.includes(from)) throw new Error(`test setup: "${from}" is not in the base problem`);
  return base.replace(from, to);
}

interface Expect {
  /** the field the line names; null for problems with the whole file (no field) */
  field: string | RegExp | null;
  /** a fragment of what is wrong */
  msg: string | RegExp;
  /** line of the position, when the problem has one */
  line?: number;
}

interface Case {
  name: string;
  /** file contents; or a function that creates the file at `path` and returns it */
  content: string | Buffer | ((path: string) => string);
  ext?: string;
  want: Expect[];
}

const cases: Case[] = [
  { name: 'missing file', content: (p) => p + '.missing', want: [{ field: null, msg: 'no such file' }] },
  {
    name: 'a directory',
    content: (p) => {
      mkdirSync(p);
      return p;
    },
    want: [{ field: null, msg: 'is a directory, expected a problem file' }],
  },
  {
    name: 'non-UTF-8 bytes',
    content: Buffer.concat([Buffer.from('title: "caf'), Buffer.from([0xe9]), Buffer.from('"\n' + BASE.replace(/^title.*\n/, ''))]),
    want: [{ field: null, msg: 'is not UTF-8 text' }],
  },
  {
    name: 'invalid YAML (unclosed flow sequence)',
    content: edit('b_y: [0.1]', 'b_y: [0.1'),
    want: [{ field: /^params\.b_y/, msg: /invalid YAML\/JSON: .*end with a \]/ }],
  },
  {
    name: 'invalid JSON (missing comma)',
    ext: 'json',
    content: '{"model": {"cell": "rnn" "hidden_size": 2}, "data": []}',
    want: [{ field: 'model.cell', msg: 'invalid YAML/JSON: Unexpected double-quoted-scalar', line: 1 }],
  },
  {
    name: 'duplicate key',
    content: edit('  hidden_size: 2\n', '  hidden_size: 2\n  hidden_size: 3\n'),
    want: [{ field: 'model.hidden_size', msg: 'duplicate key', line: 5 }],
  },
  {
    name: 'two duplicate keys, both reported',
    content: edit('  b_y: [0.1]\n', '  b_y: [0.1]\n  b_y: [0.2]\n', edit('  good: [0.1, 0.2]\n', '  good: [0.1, 0.2]\n  good: [0.5, 0.5]\n')),
    want: [
      { field: 'embeddings.good', msg: 'duplicate key', line: 7 },
      { field: 'params.b_y', msg: 'duplicate key', line: 15 },
    ],
  },
  {
    name: 'unknown top-level field, with "did you mean"',
    content: BASE + 'trainig: { reduction: sum }\n',
    want: [{ field: 'trainig', msg: 'unknown field (did you mean "training"?)', line: 21 }],
  },
  {
    name: 'parameter name with two letters swapped, with "did you mean"',
    content: edit('  W_xh:', '  W_hx:'),
    want: [
      { field: 'params.W_hx', msg: 'unknown parameter for an rnn (textbook convention) (did you mean "W_xh" or' },
      { field: 'params.W_xh', msg: 'missing' },
    ],
  },
  {
    name: 'unknown field in model',
    content: edit('  hidden_size: 2\n', '  hidden_size: 2\n  hidden_sizes: 2\n'),
    want: [{ field: 'model.hidden_sizes', msg: 'unknown field (did you mean "hidden_size"?)' }],
  },
  {
    name: 'unknown tokens in text, with close matches',
    content: edit('"good bad"', '"good baad goood zzzzzz"'),
    want: [
      { field: 'data[1].text', msg: 'unknown token "baad": not in embeddings (close: "bad")', line: 19 },
      { field: 'data[1].text', msg: 'unknown token "goood": not in embeddings (close: "good")' },
      { field: 'data[1].text', msg: /unknown token "zzzzzz": not in embeddings$/ },
    ],
  },
  {
    name: 'matrix with the wrong number of rows',
    content: edit('W_xh: [[0.1, 0.2], [0.3, 0.4]]', 'W_xh: [[0.1, 0.2]]'),
    want: [{ field: 'params.W_xh', msg: 'has 1 row, expected 2×2 (hidden_size × input dim)', line: 9 }],
  },
  {
    name: 'matrix with the wrong number of columns',
    content: edit('W_xh: [[0.1, 0.2], [0.3, 0.4]]', 'W_xh: [[0.1, 0.2, 0.5], [0.3, 0.4, 0.6]]'),
    want: [
      { field: 'params.W_xh[1]', msg: /has 3 entries, expected 2 .*2×2 \(hidden_size × input dim\)/ },
      { field: 'params.W_xh[2]', msg: 'has 3 entries, expected 2' },
    ],
  },
  {
    name: 'ragged matrix',
    content: edit('W_hh: [[0.1, 0.2], [0.3, 0.4]]', 'W_hh: [[0.1, 0.2], [0.3]]'),
    want: [{ field: 'params.W_hh[2]', msg: /has 1 entr.*expected 2 .*hidden_size × hidden_size/ }],
  },
  {
    name: 'head matrix with the wrong width',
    content: edit('W_hy: [[0.5, 0.6]]', 'W_hy: [[0.5, 0.6, 0.7]]'),
    want: [{ field: 'params.W_hy[1]', msg: /has 3 entries, expected 2 .*outputs × hidden_size/ }],
  },
  {
    name: 'a vector where a matrix belongs',
    content: edit('W_hh: [[0.1, 0.2], [0.3, 0.4]]', 'W_hh: [0.1, 0.2]'),
    want: [{ field: 'params.W_hh', msg: 'expected 2×2 (hidden_size × hidden_size) (a list of rows' }],
  },
  {
    name: 'non-numeric entry',
    content: edit('b_h: [0.1, 0.2]', 'b_h: [0.1, abc]'),
    want: [{ field: 'params.b_h[2]', msg: '"abc" is not a number (expected a decimal such as 0.25', line: 11 }],
  },
  {
    name: 'NaN and infinity',
    content: edit('b_h: [0.1, 0.2]', 'b_h: [.nan, .inf]'),
    want: [
      { field: 'params.b_h[1]', msg: '".nan" is not a number' },
      { field: 'params.b_h[2]', msg: '".inf" is not a number' },
    ],
  },
  {
    name: 'hexadecimal and octal numbers',
    content: edit('b_h: [0.1, 0.2]', 'b_h: [0x1F, 0o17]'),
    want: [
      { field: 'params.b_h[1]', msg: '"0x1F" is not a number' },
      { field: 'params.b_h[2]', msg: '"0o17" is not a number' },
    ],
  },
  {
    name: 'huge exponent',
    content: edit('b_h: [0.1, 0.2]', 'b_h: [1e999999, -1e-5000]'),
    want: [
      { field: 'params.b_h[1]', msg: '"1e999999" has an exponent beyond ±1000' },
      { field: 'params.b_h[2]', msg: 'has an exponent beyond ±1000' },
    ],
  },
  {
    name: 'a fraction dividing by zero',
    content: edit('b_h: [0.1, 0.2]', 'b_h: ["1/0", 0.2]'),
    want: [{ field: 'params.b_h[1]', msg: '"1/0" divides by zero' }],
  },
  {
    name: 'a boolean where a number belongs',
    content: edit('b_h: [0.1, 0.2]', 'b_h: [true, 0.2]'),
    want: [{ field: 'params.b_h[1]', msg: 'expected a number, got true' }],
  },
  {
    name: 'hidden_size 1000000',
    content: edit('hidden_size: 2', 'hidden_size: 1000000'),
    want: [{ field: 'model.hidden_size', msg: `1000000 is out of range: expected 1 to ${LIMITS.hidden} (a worked solution that size is more than anyone reads; set the environment variable UNROLLED_MAX_SIZE to raise the limit)`, line: 4 }],
  },
  {
    name: 'hidden_size 2.5',
    content: edit('hidden_size: 2', 'hidden_size: 2.5'),
    want: [{ field: 'model.hidden_size', msg: 'expected a whole number, got the number 2.5' }],
  },
  {
    name: 'empty data',
    content: BASE.replace(/data:[\s\S]*$/, 'data: []\n'),
    want: [{ field: 'data', msg: 'is empty, expected at least one example' }],
  },
  { name: 'missing data', content: BASE.replace(/data:[\s\S]*$/, ''), want: [{ field: 'data', msg: 'missing section' }] },
  { name: 'empty text', content: edit('"good bad"', '"   "'), want: [{ field: 'data[1].text', msg: 'is empty, expected at least one token' }] },
  {
    name: 'both text and inputs',
    content: edit('- text: "good bad"', '- text: "good bad"\n    inputs: [[1, 2]]'),
    want: [{ field: 'data[1]', msg: 'has both text and inputs' }],
  },
  {
    name: 'neither text nor inputs',
    content: edit('- text: "good bad"\n    target: 1', '- target: 1'),
    want: [{ field: 'data[1]', msg: 'needs text (a sentence) or inputs' }],
  },
  {
    name: 'input vector of the wrong dimension',
    content: edit('- text: "good bad"', '- inputs: [[1, 2], [1, 2, 3]]'),
    want: [{ field: 'data[1].inputs[2]', msg: 'has 3 entries, expected 2 entries (the input dimension)' }],
  },
  {
    name: 'embeddings of different dimensions',
    content: edit('bad: [0.3, 0.4]', 'bad: [0.3, 0.4, 0.5]'),
    want: [{ field: 'embeddings.bad', msg: 'has 3 entries, expected 2 entries, like the first embedding' }],
  },
  {
    name: 'a token with a space',
    content: edit('good: [0.1, 0.2]', '"go od": [0.1, 0.2]\n  good: [0.1, 0.2]'),
    want: [{ field: 'embeddings.go od', msg: 'cannot be empty or contain spaces' }],
  },
  {
    name: 'bce with softmax',
    content: edit('activation: sigmoid', 'activation: softmax'),
    want: [{ field: 'head', msg: 'loss bce needs activation sigmoid' }],
  },
  {
    name: 'cross_entropy with sigmoid',
    content: edit('activation: softmax', 'activation: sigmoid', SOFTMAX),
    want: [{ field: 'head', msg: 'loss cross_entropy needs activation softmax' }],
  },
  {
    name: 'unknown activation, with "did you mean"',
    content: edit('activation: sigmoid', 'activation: sigmod'),
    want: [{ field: 'head.activation', msg: 'unknown value "sigmod" (did you mean "sigmoid"?)' }],
  },
  {
    name: 'unknown loss, with "did you mean"',
    content: edit('loss: bce', 'loss: crossentropy'),
    want: [{ field: 'head.loss', msg: 'unknown value "crossentropy" (did you mean "cross_entropy"?); expected one of bce, cross_entropy, mse' }],
  },
  {
    name: 'cross_entropy class index out of range',
    content: edit('target: 0', 'target: 2', SOFTMAX),
    want: [{ field: 'data[1].target', msg: 'class index 2 is out of range: expected a whole number from 0 to 1', line: 20 }],
  },
  {
    name: 'cross_entropy negative and fractional class index',
    content: edit('target: 0', 'target: -1', SOFTMAX),
    want: [{ field: 'data[1].target', msg: 'class index -1 is out of range' }],
  },
  {
    name: 'cross_entropy probabilities not summing to 1',
    content: edit('target: 0', 'target: [0.5, 0.6]', SOFTMAX),
    want: [{ field: 'data[1].target', msg: 'expected a probability vector (entries ≥ 0 summing to 1), got entries summing to 1.1' }],
  },
  {
    name: 'bce target outside [0, 1]',
    content: edit('target: 1', 'target: 1.5'),
    want: [{ field: 'data[1].target', msg: 'got a value outside [0, 1]' }],
  },
  {
    name: 'missing target',
    content: edit('    target: 1\n', ''),
    want: [{ field: 'data[1].target', msg: 'missing, expected a number from 0 to 1' }],
  },
  {
    name: 'output_at every with the wrong number of targets',
    content: edit('output_at: last', 'output_at: every', edit('target: 1', 'target: [1, 0, 1]')),
    want: [{ field: 'data[1].target', msg: 'expected a list of 2 targets (output_at: every, one per timestep), got a list of 3' }],
  },
  {
    name: 'unknown cell, with "did you mean"',
    content: edit('cell: rnn', 'cell: rnnn'),
    want: [{ field: 'model.cell', msg: 'unknown value "rnnn" (did you mean "rnn"?); expected one of rnn, lstm, gru', line: 3 }],
  },
  {
    name: 'unknown cell, nothing close',
    content: edit('cell: rnn', 'cell: transformer'),
    want: [{ field: 'model.cell', msg: /^unknown value "transformer"; expected one of rnn, lstm, gru$/, line: 3 }],
  },
  {
    name: 'unknown convention, with "did you mean"',
    content: edit('hidden_size: 2', 'hidden_size: 2\n  convention: pytroch'),
    want: [{ field: 'model.convention', msg: 'unknown value "pytroch" (did you mean "pytorch"?); expected one of textbook, pytorch', line: 5 }],
  },
  {
    name: 'layers out of range, bidirectional not a boolean',
    content: edit('hidden_size: 2', 'hidden_size: 2\n  layers: 5\n  bidirectional: yes please'),
    want: [
      { field: 'model.layers', msg: '5 is out of range: expected 1 to 4', line: 5 },
      { field: 'model.bidirectional', msg: 'expected true or false, got the text "yes please"', line: 6 },
    ],
  },
  {
    name: 'layers: 2 without the second layer\'s parameters (W_xh_l1 reads layer 1\'s h: H×H)',
    content: edit('hidden_size: 2', 'hidden_size: 2\n  layers: 2'),
    want: [
      { field: 'params.W_xh_l1', msg: 'missing, expected 2×2 (hidden_size × hidden_size)' },
      { field: 'params.W_hh_l1', msg: 'missing, expected 2×2 (hidden_size × hidden_size)' },
      { field: 'params.b_h_l1', msg: 'missing, expected 2 (hidden_size)' },
    ],
  },
  {
    name: 'bidirectional: the reverse direction missing, W_hy with H instead of 2H columns',
    content: edit('hidden_size: 2', 'hidden_size: 2\n  bidirectional: true'),
    want: [
      { field: 'params.W_xh_reverse', msg: 'missing, expected 2×2 (hidden_size × input dim)' },
      { field: 'params.W_hh_reverse', msg: 'missing' },
      { field: 'params.b_h_reverse', msg: 'missing' },
      { field: 'params.W_hy[1]', msg: 'has 2 entries, expected 4 (the matrix is 1×4 (outputs × 2·hidden_size))', line: 13 },
    ],
  },
  {
    name: 'truncate with bidirectional',
    content: edit('hidden_size: 2', 'hidden_size: 2\n  bidirectional: true', edit('  b_y: [0.1]\n', '  b_y: [0.1]\n  W_xh_reverse: [[1, 2], [3, 4]]\n  W_hh_reverse: [[1, 2], [3, 4]]\n  b_h_reverse: [1, 2]\n', edit('W_hy: [[0.5, 0.6]]', 'W_hy: [[0.5, 0.6, 0.7, 0.8]]'))) + 'training: {truncate: 1}\n',
    want: [{ field: 'training.truncate', msg: 'cannot be used with model.bidirectional: true (truncating the reverse direction is not defined)', line: 25 }],
  },
  {
    name: 'textbook LSTM: a gate weight without the hidden part (W_f is H×(H+D))',
    content: edit('W_f: [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]]', 'W_f: [[0.3, 0.4], [0.7, 0.8]]', LSTM),
    want: [
      { field: 'params.W_f[1]', msg: 'has 2 entries, expected 4 (the matrix is 2×4 (hidden_size × (hidden_size + input dim)))', line: 9 },
      { field: 'params.W_f[2]', msg: 'has 2 entries, expected 4' },
    ],
  },
  {
    name: 'textbook LSTM: a gate weight with H rows of H+D missing a row',
    content: edit('W_o: [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]]', 'W_o: [[0.1, 0.2, 0.3, 0.4]]', LSTM),
    want: [{ field: 'params.W_o', msg: 'has 1 row, expected 2×4 (hidden_size × (hidden_size + input dim))', line: 15 }],
  },
  {
    name: 'textbook LSTM: GRU or RNN names',
    content: edit('  b_o: [0.1, 0.2]\n', '  b_o: [0.1, 0.2]\n  W_z: [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]]\n  W_xh: [[1, 2], [3, 4]]\n', LSTM),
    want: [
      { field: 'params.W_z', msg: /^unknown parameter for an lstm \(textbook convention\).*; expected W_f, b_f, W_i, b_i, W_c, b_c, W_o, b_o, W_hy, b_y$/, line: 17 },
      { field: 'params.W_xh', msg: 'unknown parameter for an lstm (textbook convention)', line: 18 },
    ],
  },
  {
    name: 'pytorch LSTM: weight_ih with H rows instead of 4H',
    content: edit(/  weight_ih_l0: .*\n/.exec(LSTM_PT)![0], '  weight_ih_l0: [[0.1, 0.2], [0.3, 0.4]]\n', LSTM_PT),
    want: [{ field: 'params.weight_ih_l0', msg: 'has 2 rows, expected 8×2 (4·hidden_size × input dim)', line: 10 }],
  },
  {
    name: 'pytorch LSTM: bias_hh of 3H (a GRU\'s) instead of 4H',
    content: edit('  bias_hh_l0: [0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05]\n', '  bias_hh_l0: [0.05, 0.05, 0.05, 0.05, 0.05, 0.05]\n', LSTM_PT),
    want: [{ field: 'params.bias_hh_l0', msg: 'has 6 entries, expected 8 (4·hidden_size)', line: 13 }],
  },
  {
    name: 'pytorch GRU: weight_ih and weight_ih_l0 both given',
    content: edit('  b_y: [0.1]\n', '  b_y: [0.1]\n  weight_ih_l0: [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6], [0.7, 0.8], [0.9, 1], [1.1, 1.2]]\n', GRU_PT),
    want: [{ field: 'params.weight_ih_l0', msg: 'is the same parameter as params.weight_ih; give it once', line: 16 }],
  },
  {
    name: 'pytorch GRU: a second layer and a reverse direction the model does not have',
    content: edit('  b_y: [0.1]\n', '  b_y: [0.1]\n  weight_ih_l1: [[1, 2]]\n  weight_hh_reverse: [[1]]\n  bias_hh_l0_reverse: [1]\n', GRU_PT),
    want: [
      { field: 'params.weight_ih_l1', msg: 'belongs to layer 1 (counting from 0), but the model has one layer (set model.layers); expected weight_ih, weight_hh, bias_ih, bias_hh, W_hy, b_y', line: 16 },
      { field: 'params.weight_hh_reverse', msg: 'belongs to a reverse direction, but the model is not bidirectional (set model.bidirectional: true); expected weight_ih, weight_hh', line: 17 },
      { field: 'params.bias_hh_l0_reverse', msg: 'belongs to a reverse direction, but the model is not bidirectional', line: 18 },
    ],
  },
  {
    name: 'textbook LSTM: W_f_reverse and W_i_l1 without layers or bidirectional',
    content: edit('  b_y: [0.1]\n', '  b_y: [0.1]\n  W_f_reverse: [[1, 2, 3, 4]]\n  W_i_l1: [[1, 2, 3, 4]]\n', LSTM),
    want: [
      { field: 'params.W_f_reverse', msg: 'belongs to a reverse direction, but the model is not bidirectional (set model.bidirectional: true); expected W_f, b_f, W_i, b_i, W_c, b_c, W_o, b_o, W_hy, b_y', line: 19 },
      { field: 'params.W_i_l1', msg: 'belongs to layer 1 (counting from 0), but the model has one layer', line: 20 },
    ],
  },
  {
    name: 'layers: 2: a third layer, and the same parameter twice (W_xh and W_xh_l0)',
    content: edit('hidden_size: 2', 'hidden_size: 2\n  layers: 2', edit('  b_y: [0.1]\n', '  b_y: [0.1]\n  W_xh_l0: [[1, 2], [3, 4]]\n  W_xh_l1: [[1, 2], [3, 4]]\n  W_hh_l1: [[1, 2], [3, 4]]\n  b_h_l1: [1, 2]\n  W_xh_l2: [[1, 2], [3, 4]]\n')),
    want: [
      { field: 'params.W_xh_l0', msg: 'is the same parameter as params.W_xh; give it once', line: 15 },
      { field: 'params.W_xh_l2', msg: 'belongs to layer 2 (counting from 0), but the model has 2 layers (0 to 1); expected W_xh, W_hh, b_h, W_xh_l1, W_hh_l1, b_h_l1, W_hy, b_y', line: 19 },
    ],
  },
  {
    name: 'initial states of a layer or direction that does not exist',
    content: BASE + 'initial_state: { h0_l1: [1, 2], h0_reverse: [1, 2] }\n',
    want: [
      { field: 'initial_state.h0_l1', msg: 'unknown field (did you mean "h0_l0"?); expected one of h0, h0_l0', line: 21 },
      { field: 'initial_state.h0_reverse', msg: 'unknown field', line: 21 },
    ],
  },
  {
    name: 'textbook RNN names in a pytorch file',
    content: edit('hidden_size: 2', 'hidden_size: 2\n  convention: pytorch'),
    want: [
      ...['W_xh', 'W_hh', 'b_h'].map((name, i) => ({
        field: `params.${name}`,
        msg: 'is a textbook-convention name, but this file has convention: pytorch; expected weight_ih, weight_hh, bias_ih, bias_hh, W_hy, b_y (or set model.convention: textbook)',
        line: 10 + i,
      })),
      { field: 'params.weight_ih', msg: 'missing, expected 2×2 (hidden_size × input dim)' },
      { field: 'params.weight_hh', msg: 'missing, expected 2×2 (hidden_size × hidden_size)' },
      { field: 'params.bias_ih', msg: 'missing, expected 2 (hidden_size)' },
      { field: 'params.bias_hh', msg: 'missing, expected 2 (hidden_size)' },
    ],
  },
  {
    name: 'textbook GRU names in a pytorch GRU file',
    content: edit('  bias_hh: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]\n', '  bias_hh: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]\n  W_z: [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]]\n', GRU_PT),
    want: [{ field: 'params.W_z', msg: 'is a textbook-convention name, but this file has convention: pytorch; expected weight_ih, weight_hh, bias_ih, bias_hh, W_hy, b_y (or set model.convention: textbook)', line: 14 }],
  },
  {
    name: 'the head takes no layer suffix',
    content: edit('  W_hy:', '  W_hy_l0:', GRU_PT),
    want: [
      { field: 'params.W_hy_l0', msg: 'unknown parameter for a gru (pytorch convention) (did you mean "W_hy"?)' },
      { field: 'params.W_hy', msg: 'missing' },
    ],
  },
  {
    name: 'c0 for a GRU',
    content: GRU_PT + 'initial_state: { h0: [1, 2], c0: [1, 2] }\n',
    want: [{ field: 'initial_state.c0', msg: 'unknown field (did you mean "h0"?); expected one of h0, h0_l0', line: 23 }],
  },
  {
    name: 'c0 of the wrong size for an LSTM',
    content: LSTM + 'initial_state: { c0: [1, 2, 3] }\n',
    want: [{ field: 'initial_state.c0', msg: 'has 3 entries, expected 2 entries (hidden_size)', line: 26 }],
  },
  {
    name: 'h0_l0 of the wrong size: the field is named as written',
    content: GRU_PT + 'initial_state: { h0_l0: [1] }\n',
    want: [{ field: 'initial_state.h0_l0', msg: 'has 1 entry, expected 2 entries (hidden_size)', line: 23 }],
  },
  {
    name: 'h0 and h0_l0 both given',
    content: GRU_PT + 'initial_state: { h0: [1, 2], h0_l0: [1, 2] }\n',
    want: [{ field: 'initial_state.h0_l0', msg: 'is the same state as initial_state.h0; give it once', line: 23 }],
  },
  {
    name: 'unknown parameter, with "did you mean"',
    content: edit('b_y: [0.1]', 'b_y: [0.1]\n  W_xhh: [[1, 2], [3, 4]]'),
    want: [{ field: 'params.W_xhh', msg: /^unknown parameter for an rnn \(textbook convention\) \(did you mean [^)]*"W_xh"[^)]*\?\); expected W_xh, W_hh, b_h, W_hy, b_y$/ }],
  },
  {
    name: 'missing parameter',
    content: edit('  b_y: [0.1]\n', ''),
    want: [{ field: 'params.b_y', msg: 'missing, expected 1 (outputs)' }],
  },
  { name: 'missing head', content: BASE.replace(/head:[\s\S]*?data:/, 'data:'), want: [{ field: 'head', msg: 'missing section' }] },
  {
    name: 'h0 of the wrong size',
    content: BASE + 'initial_state: { h0: [1, 2, 3] }\n',
    want: [{ field: 'initial_state.h0', msg: 'has 3 entries, expected 2 entries (hidden_size)' }],
  },
  {
    name: 'c0 for an rnn',
    content: BASE + 'initial_state: { c0: [1, 2] }\n',
    want: [{ field: 'initial_state.c0', msg: 'unknown field (did you mean "h0"?)' }],
  },
  {
    name: 'training: negative learning rate, bad truncate, negative clip_norm, bad reduction',
    content: BASE + 'training: { learning_rate: -0.1, truncate: 0, clip_norm: -5, reduction: average }\n',
    want: [
      { field: 'training.reduction', msg: 'unknown value "average"; expected one of sum, mean' },
      { field: 'training.truncate', msg: '0 is out of range: expected 1 to 256' },
      { field: 'training.clip_norm', msg: 'must be positive, got -5' },
      { field: 'training.learning_rate', msg: 'must be positive, got -0.1' },
    ],
  },
  {
    name: 'not a mapping',
    content: '- 1\n- 2\n',
    want: [{ field: null, msg: 'expected a problem (a mapping with model, params, head, data), got a list of 2' }],
  },
  { name: 'empty file', content: '', want: [{ field: null, msg: 'expected a problem (a mapping with model, params, head, data), got nothing' }] },
  {
    name: 'alias bomb',
    content:
      'a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n' +
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n',
    want: [{ field: null, msg: /more than \d+ values \(aliases expanded\)/ }],
  },
  {
    name: 'very deep nesting',
    content: `model: ${'['.repeat(200)}${']'.repeat(200)}\n`,
    want: [{ field: /^model(\[1\])+\[?…$/, msg: /nested more than \d+ levels deep/ }],
  },
  {
    name: 'several problems at once, one line each',
    content: edit('cell: rnn', 'cell: rnnn', edit('b_h: [0.1, 0.2]', 'b_h: [0.1, abc]', edit('"good bad"', '"good baad"'))),
    want: [
      { field: 'model.cell', msg: 'unknown value "rnnn"' },
      { field: 'data[1].text', msg: 'unknown token "baad"' },
    ],
  },
];

describe('bad problem files → InputError, one line per problem naming file and field; from the command line exit 2 and nothing written', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const safe = c.name.replace(/[^a-z0-9]+/gi, '-');
      let file = join(dir, `${safe}.${c.ext ?? 'yaml'}`);
      if (typeof c.content === 'function') file = c.content(file);
      else writeFileSync(file, c.content);

      let err: unknown;
      try {
        loadProblem(file, n);
      } catch (e) {
        err = e;
      }
      expect(err, 'an InputError is thrown').toBeInstanceOf(InputError);
      const e = err as InputError;
      const lines = e.message.split('\n');
      expect(lines.length, e.message).toBe(e.problems.length);
      expect(e.problems.length, e.message).toBe(c.want.length);
      // every line: the file first, then line:col where known, then the field, then the message
      for (const [i, line] of lines.entries()) {
        const p = e.problems[i]!;
        expect(p.file).toBe(file);
        expect(line).toBe(formatProblem(p));
        expect(line.startsWith(file + ':'), line).toBe(true);
        expect(line).not.toMatch(/\n|    at /);
        if (p.field) expect(line).toMatch(new RegExp(`^${escapeRegExp(file)}(:\\d+:\\d+)?: ${escapeRegExp(p.field)}: \\S`));
      }
      // the expected problems, in order
      c.want.forEach((w, i) => {
        const p = e.problems[i]!;
        if (w.field === null) expect(p.field, lines[i]).toBeNull();
        else if (w.field instanceof RegExp) expect(p.field ?? '', lines[i]).toMatch(w.field);
        else expect(p.field, lines[i]).toBe(w.field);
        if (typeof w.msg === 'string') expect(p.message, lines[i]).toContain(w.msg);
        else expect(p.message, lines[i]).toMatch(w.msg);
        if (w.line !== undefined) expect(p.pos?.line, lines[i]).toBe(w.line);
        // a field implies a position in the file
        if (p.field) expect(p.pos, lines[i]).not.toBeNull();
      });
      // the same file given to the command line: exit 2, exactly these lines, nothing written
      const out = join(dir, `${safe}-out`);
      const r = await cli('solve', file, '--out', out);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(e.message + '\n');
      expect(r.stdout).toBe('');
      expect(existsSync(out)).toBe(false);
    });
  }
});

describe('valid variants', () => {
  const load = (text: string, name = 'v.yaml') => validate(parseSource(text, name), name, n);
  const numbers = (v: Value) => (v.kind === 'scalar' ? [v.x] : v.kind === 'vec' ? v.x : v.x.flat()).map((x) => n.toString(x));

  it('the base problem of this file is valid', () => {
    const p = load(BASE);
    expect(p.title).toBe('two words');
    expect([p.hidden, p.inputDim, p.outputDim]).toEqual([2, 2, 1]);
    expect(p.examples[0]!.tokens).toEqual(['good', 'bad']);
    expect(p.examples[0]!.targets).toHaveLength(1);
    expect(p.examples[0]!.targets[0]!.t).toBe(2);
    expect(p.initial.get('h0')).toEqual({ value: [n.zero, n.zero], given: false });
    expect(p.training).toEqual({ reduction: 'sum', learningRate: null, trainEmbeddings: true, truncate: null, clipNorm: null });
  });

  it('JSON input gives the same problem and the same solution as YAML', () => {
    const y = loadProblem(join(ROOT, 'fixtures', 'seed-rnn-sentiment.yaml'), n);
    // the seed problem as JSON
    const json = `{
      "title": "seed as JSON",
      "model": {"cell": "rnn", "hidden_size": 3},
      "embeddings": {
        "i": [0.1, 0.2, 0.3], "love": [0.4, 0.1, 0.5], "this": [0.3, 0.2, 0.1], "book": [0.6, 0.1, 0.4],
        "its": [0.1, 0.3, 0.6], "amazing": [0.5, 0.4, 0.2], "hate": [0.7, 0.8, 0.1]
      },
      "params": {
        "W_xh": [[0.2, 0.4, 0.1], [0.1, 0.3, 0.5], [0.4, 0.2, 0.3]],
        "W_hh": [[0.3, 0.2, 0.1], [0.5, 0.4, 0.2], [0.1, 0.3, 0.4]],
        "b_h": [0.1, 0.1, 0.1], "W_hy": [[0.3, 0.2, 0.4]], "b_y": [0.1]
      },
      "head": {"activation": "sigmoid", "loss": "bce", "output_at": "last"},
      "data": [{"text": "i love this book its amazing", "target": 1}, {"text": "i hate this book", "target": 0}],
      "training": {"reduction": "sum", "learning_rate": 0.1}
    }`;
    const file = join(dir, 'seed.json');
    writeFileSync(file, json);
    const j = loadProblem(file, n);
    expect(j.title).toBe('seed as JSON');
    expect([...j.embeddings.keys()]).toEqual([...y.embeddings.keys()]);
    const a = solve(y, { precision: 64 });
    const b = solve(j, { precision: 64 });
    expect([...b.quantities.keys()]).toEqual([...a.quantities.keys()]);
    for (const [id, v] of a.quantities) expect(numbers(b.quantities.get(id)!), id).toEqual(numbers(v));
    expect(numbers(b.quantities.get('loss')!)[0]!.slice(0, 14)).toBe('1.512016674318');
  });

  it('numbers keep their source text: no binary float on the way', () => {
    const p = load(edit('b_h: [0.1, 0.2]', 'b_h: [0.1000000000000000055511151231257827, 1e-30]'));
    expect((p.params.get('b_h') as Vec).map((x) => n.toString(x))).toEqual(['0.1000000000000000055511151231257827', '1e-30']);
    expect((p.params.get('b_h') as Vec).every((x) => x.exact)).toBe(true);
    const j = load(edit('b_h: [0.1, 0.2]', 'b_h: [0.30000000000000004, 2E+2]'), 'v.json');
    expect((j.params.get('b_h') as Vec).map((x) => n.toString(x))).toEqual(['0.30000000000000004', '200']);
  });

  it('fractions as strings: "1/4" exact, "1/3" rounded at the working precision', () => {
    const p = load(edit('W_hh: [[0.1, 0.2], [0.3, 0.4]]', 'W_hh: [["1/4", "-1/8"], ["1/3", "2.5e-1"]]'));
    const W = p.params.get('W_hh') as Mat;
    expect(W.map((r) => r.map((x) => x.exact))).toEqual([[true, true], [false, true]]);
    expect(W.map((r) => r.map((x) => n.toString(x)))).toEqual([['0.25', '-0.125'], ['0.' + '3'.repeat(64), '0.25']]);
    const q = load(edit('target: 1', 'target: "1/4"'));
    expect(n.toString(q.examples[0]!.targets[0]!.target[0]!)).toBe('0.25');
  });

  it('raw `inputs:` examples, without embeddings, define the input dimension', () => {
    const text = BASE.replace(/embeddings:[\s\S]*?params:/, 'params:')
      .replace('W_xh: [[0.1, 0.2], [0.3, 0.4]]', 'W_xh: [[0.1, 0.2, 0.3], [0.3, 0.4, 0.5]]')
      .replace('- text: "good bad"', '- inputs: [[0.5, 1, -1], [0.2, -1, "1/2"]]');
    const p = load(text);
    expect(p.inputDim).toBe(3);
    expect(p.embeddings.size).toBe(0);
    const ex = p.examples[0]!;
    expect(ex.tokens).toBeNull();
    expect(ex.inputs.map((x) => x.map((v) => n.toString(v)))).toEqual([['0.5', '1', '-1'], ['0.2', '-1', '0.5']]);
    const tr = solve(p, { precision: 64 });
    expect(numbers(tr.quantities.get('ex1.t1.x')!)).toEqual(['0.5', '1', '-1']);
    expect(numbers(tr.quantities.get('ex1.t1.z')!)).toEqual(['0.05', '0.25']); // 0.05+0.2−0.3+0.1, 0.15+0.4−0.5+0.2
    expect([...tr.quantities.keys()].some((id) => id.startsWith('grad.emb.'))).toBe(false);
  });

  it('text and inputs examples mixed, output_at every, mean, learning rate', () => {
    const text = edit('output_at: last', 'output_at: every', BASE)
      .replace('    target: 1\n', '    target: [1, 0]\n  - inputs: [[1, -1]]\n    target: [0.5]\n')
      .concat('training: { reduction: mean, learning_rate: 0.01, train_embeddings: false }\n');
    const p = load(text);
    expect(p.examples.map((e) => e.targets.map((y) => y.t))).toEqual([[1, 2], [1]]);
    expect(p.training.reduction).toBe('mean');
    expect(n.toString(p.training.learningRate!)).toBe('0.01');
    expect(p.training.trainEmbeddings).toBe(false);
  });

  it('a given h0', () => {
    const p = load(BASE + 'initial_state:\n  h0: [0.5, "-1/4"]\n');
    const h0 = p.initial.get('h0')!;
    expect(h0.given).toBe(true);
    expect(h0.value.map((x) => n.toString(x))).toEqual(['0.5', '-0.25']);
    const tr = solve(p, { precision: 64 });
    // z_1 = W_xh x_1 + W_hh h0 + b_h = [0.05+0.1, 0.11+0.2] + [0.05−0.05, 0.15−0.1] = [0.15, 0.36]
    expect(numbers(tr.quantities.get('ex1.t1.z')!)).toEqual(['0.15', '0.36']);
  });

  it('a textbook LSTM: the four gates in the file\'s order, h0 and c0 zeros by default', () => {
    const p = load(LSTM);
    expect([p.cell, p.convention]).toEqual(['lstm', 'textbook']);
    expect([...p.params.keys()]).toEqual(['W_f', 'b_f', 'W_i', 'b_i', 'W_c', 'b_c', 'W_o', 'b_o', 'W_hy', 'b_y']);
    expect((p.params.get('W_c') as Mat).map((r) => r.length)).toEqual([4, 4]);
    expect([...p.initial.keys()]).toEqual(['h0', 'c0']);
    expect(p.initial.get('c0')).toEqual({ value: [n.zero, n.zero], given: false });
  });

  it('initial_state.c0 for an LSTM is read and used: c_1 = f_1 ⊙ c0 + i_1 ⊙ g_1', () => {
    const p = load(LSTM + 'initial_state:\n  h0: [0.5, -0.5]\n  c0: [2, "-1/4"]\n');
    expect(p.initial.get('h0')!.given).toBe(true);
    const c0 = p.initial.get('c0')!;
    expect(c0.given).toBe(true);
    expect(c0.value.map((x) => n.toString(x))).toEqual(['2', '-0.25']);
    const tr = solve(p, { precision: 64 });
    // f_pre_1 = W_f [h0; x_1] + b_f = [0.05 − 0.1 + 0.03 + 0.08, 0.25 − 0.3 + 0.07 + 0.16] + [0.1, 0.2]
    expect(numbers(tr.quantities.get('ex1.t1.f_pre')!)).toEqual(['0.16', '0.38']);
    const [f, i, g, c] = ['f', 'i', 'g', 'c'].map((k) => tr.quantities.get(`ex1.t1.${k}`)!.x as Vec);
    const want = c0.value.map((c0j, j) => n.add(n.mul(f![j]!, c0j), n.mul(i![j]!, g![j]!)));
    expect(c!.map((x) => n.toString(x))).toEqual(want.map((x) => n.toString(x)));
    // and it matters: without c0 the cell state is i ⊙ g alone
    const zero = solve(load(LSTM + 'initial_state:\n  h0: [0.5, -0.5]\n'), { precision: 64 });
    const cz = zero.quantities.get('ex1.t1.c')!.x as Vec;
    expect(cz.map((x) => n.toString(x))).toEqual(i!.map((x, j) => n.toString(n.mul(x, g![j]!))));
    // by f_1 ⊙ c0 (to rounding at 64 digits)
    c!.forEach((x, j) => expect(n.sub(n.sub(x, cz[j]!), n.mul(f![j]!, c0.value[j]!)).v.abs().lt('1e-60'), `c_1[${j + 1}]`).toBe(true));
    expect(n.sub(c![0]!, cz[0]!).v.gt(1)).toBe(true);
  });

  it('a pytorch LSTM with torch\'s `_l0` names: canonical names inside, the file\'s names kept; c0_l0 and h0_l0', () => {
    const p = load(LSTM_PT + 'initial_state: { h0_l0: [1, 2], c0_l0: [3, 4] }\n');
    expect([p.cell, p.convention]).toEqual(['lstm', 'pytorch']);
    expect([...p.params.keys()]).toEqual(['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh', 'W_hy', 'b_y']);
    expect(p.paramNames.get('weight_ih')).toBe('weight_ih_l0');
    expect(p.paramNames.get('bias_hh')).toBe('bias_hh_l0');
    expect(p.paramNames.get('W_hy')).toBe('W_hy');
    expect((p.params.get('weight_ih') as Mat).length).toBe(8);
    expect(p.initial.get('h0')!.value.map((x) => n.toString(x))).toEqual(['1', '2']);
    expect(p.initial.get('c0')!.value.map((x) => n.toString(x))).toEqual(['3', '4']);
    expect([p.initial.get('h0')!.given, p.initial.get('c0')!.given]).toEqual([true, true]);
    // the ids drop the suffix
    const tr = solve(p, { precision: 64 });
    expect(tr.quantities.has('grad.weight_ih')).toBe(true);
    expect([...tr.quantities.keys()].some((id) => id.includes('_l0'))).toBe(false);
  });

  it('a pytorch GRU: h0_l0 is accepted as h0; c0 is not a GRU state', () => {
    const p = load(GRU_PT + 'initial_state: { h0_l0: [0.5, "-1/4"] }\n');
    expect([p.cell, p.convention]).toEqual(['gru', 'pytorch']);
    expect([...p.initial.keys()]).toEqual(['h0']);
    expect(p.initial.get('h0')).toMatchObject({ given: true });
    expect(p.initial.get('h0')!.value.map((x) => n.toString(x))).toEqual(['0.5', '-0.25']);
    const tr = solve(p, { precision: 64 });
    // hn_1 = W_hn h0 + b_hn = [0.45 − 0.25, 0.55 − 0.3] + [0.5, 0.6]
    expect(numbers(tr.quantities.get('ex1.t1.hn')!)).toEqual(['0.7', '0.85']);
  });

  it('layers: 2, bidirectional: torch\'s names (_l0, _l1, _reverse) to canonical names, shapes, initial states', () => {
    const params = ['', '_reverse', '_l1', '_l1_reverse'].flatMap((sfx) => {
      const wide = sfx.startsWith('_l1');
      const row = wide ? '[0.1, 0.2, 0.3, 0.4]' : '[0.1, 0.2]';
      const file = sfx.startsWith('_l1') ? sfx : `_l0${sfx}`;
      return [`  weight_ih${file}: [${Array(6).fill(row).join(', ')}]`, `  weight_hh${file}: [${Array(6).fill('[0.1, 0.2]').join(', ')}]`, `  bias_ih${file}: [1, 2, 3, 4, 5, 6]`, `  bias_hh${file}: [1, 2, 3, 4, 5, 6]`];
    });
    const text = edit(/  weight_ih:[\s\S]*?  bias_hh: .*\n/.exec(GRU_PT)![0], params.join('\n') + '\n', edit('hidden_size: 2', 'hidden_size: 2\n  layers: 2\n  bidirectional: true', GRU_PT))
      .replace('W_hy: [[0.5, 0.6]]', 'W_hy: [[0.5, 0.6, 0.7, 0.8]]') + 'initial_state: { h0_l0_reverse: [1, 2], h0_l1: [3, 4] }\n';
    const p = load(text);
    expect([p.layers, p.bidirectional]).toEqual([2, true]);
    expect([...p.params.keys()]).toEqual(['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh', 'weight_ih_reverse', 'weight_hh_reverse', 'bias_ih_reverse', 'bias_hh_reverse', 'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1', 'weight_ih_l1_reverse', 'weight_hh_l1_reverse', 'bias_ih_l1_reverse', 'bias_hh_l1_reverse', 'W_hy', 'b_y']);
    expect(p.paramNames.get('weight_ih')).toBe('weight_ih_l0');
    expect(p.paramNames.get('weight_hh_reverse')).toBe('weight_hh_l0_reverse');
    expect(p.paramNames.get('bias_hh_l1_reverse')).toBe('bias_hh_l1_reverse');
    expect((p.params.get('weight_ih_l1') as Mat)[0]).toHaveLength(4);
    expect([...p.initial.keys()]).toEqual(['h0', 'h0_reverse', 'h0_l1', 'h0_l1_reverse']);
    expect(p.initial.get('h0_reverse')!.given).toBe(true);
    expect(p.initial.get('h0_l1')!.value.map((x) => n.toString(x))).toEqual(['3', '4']);
    expect(p.initial.get('h0')!.given).toBe(false);
    const tr = solve(p, { precision: 64 });
    expect(tr.params.map((x) => x.name)).toEqual([...p.params.keys()]);
    expect(tr.quantities.has('ex1.t1.h_l1_reverse')).toBe(true);
    expect(tr.quantities.has('grad.weight_hh_l1_reverse')).toBe(true);
  });

  it('tokens that look like numbers are matched as written', () => {
    const p = load(edit('  good: [0.1, 0.2]\n  bad: [0.3, 0.4]\n', '  007: [0.1, 0.2]\n  0.10: [0.3, 0.4]\n  "1e2": [0.5, 0.6]\n').replace('"good bad"', '"007 0.10 1e2 007"'));
    expect([...p.embeddings.keys()]).toEqual(['007', '0.10', '1e2']);
    expect(p.examples[0]!.tokens).toEqual(['007', '0.10', '1e2', '007']);
    expect(p.examples[0]!.inputs.map((x) => x.map((v) => n.toString(v)))).toEqual([['0.1', '0.2'], ['0.3', '0.4'], ['0.5', '0.6'], ['0.1', '0.2']]);
  });

  it('cross_entropy targets: a class index or a probability vector', () => {
    const a = load(SOFTMAX);
    expect(a.examples[0]!.targets[0]!.targetIndex).toBe(0);
    expect(a.examples[0]!.targets[0]!.target.map((x) => n.toString(x))).toEqual(['1', '0']);
    const b = load(edit('target: 0', 'target: [0.25, 0.75]', SOFTMAX));
    expect(b.examples[0]!.targets[0]!.targetIndex).toBeNull();
    expect(b.examples[0]!.targets[0]!.target.map((x) => n.toString(x))).toEqual(['0.25', '0.75']);
  });
});

describe('suggestions', () => {
  it('edit distance and close matches', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(closest('baad', ['bad', 'good', 'book'])).toEqual(['bad']);
    expect(closest('xyzzy', ['bad', 'good'])).toEqual([]);
    expect(didYouMean('trainig', ['training', 'title'])).toBe(' (did you mean "training"?)');
    expect(didYouMean('qqqqqq', ['training'])).toBe('');
  });
});
