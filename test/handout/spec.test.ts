// Handout specs: generators drawn per (seed, student), shaped by where they stand, written
// back as a normal problem file; every mistake in a spec is one line at its place.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { makeVariant, readSpec, variantSeed } from '../../src/handout/spec.js';
import { Numeric } from '../../src/numeric/index.js';
import { parseSource } from '../../src/problem/source.js';
import { validate } from '../../src/problem/validate.js';
import { InputError } from '../../src/problem/errors.js';
import { solveToText } from '../../src/run/solve.js';

const dir = mkdtempSync(join(tmpdir(), 'unrolled-spec-'));
let k = 0;
const specFile = (text: string) => {
  const f = join(dir, `spec${++k}.yaml`);
  writeFileSync(f, text);
  return f;
};
const variant = (file: string, id = 's1', seed = '7') => makeVariant(readSpec(file), variantSeed(seed, id), `variant ${id}`).text;
const load = (text: string) => validate(parseSource(text, 'v.yaml'), 'v.yaml', Numeric.at(64));
const errorOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  throw new Error('no error');
};
const SEED_SPEC = 'fixtures/handout/rnn-spec.yaml';

describe('a variant', () => {
  it('depends only on the seed and the student id', () => {
    expect(variant(SEED_SPEC, 's1')).toBe(variant(SEED_SPEC, 's1'));
    expect(variant(SEED_SPEC, 's1')).not.toBe(variant(SEED_SPEC, 's2'));
    expect(variant(SEED_SPEC, 's1', '7')).not.toBe(variant(SEED_SPEC, 's1', '8'));
  });

  it('is a normal problem file: comments kept, questions removed, a header saying where it came from', () => {
    const text = variant(SEED_SPEC, 'anna');
    expect(text).toMatch(/^# variant anna\n\n# A handout spec/);
    expect(text).toContain('b_h: [0, 0] # numbers may stay fixed');
    expect(text).not.toContain('questions');
    expect(text).not.toMatch(/random|choice|pick/);
    const p = load(text);
    expect(p.hidden).toBe(2);
    expect(p.inputDim).toBe(3);
    expect(p.examples).toHaveLength(2);
  });

  it('draws every number on the grid it asks for', () => {
    const p = parse(variant(SEED_SPEC, 'x')) as { params: Record<string, number[][] | number[]>; embeddings: Record<string, number[]>; initial_state: { h0: number[] } };
    const onGrid = (xs: number[], lo: number, hi: number, nonzero: boolean) =>
      xs.every((x) => Math.round(x * 10) === x * 10 && x >= lo && x <= hi && (!nonzero || x !== 0) && String(x).length <= 4);
    expect(onGrid((p.params.W_xh as number[][]).flat(), -0.5, 0.5, true)).toBe(true);
    expect((p.params.W_xh as number[][]).map((r) => r.length)).toEqual([3, 3]);
    expect(onGrid((p.params.W_hy as number[][]).flat(), -1, 1, true)).toBe(true);
    expect(p.params.b_h).toEqual([0, 0]);
    expect(onGrid(p.initial_state.h0, -0.2, 0.2, false)).toBe(true);
    expect(onGrid(Object.values(p.embeddings).flat(), -0.5, 0.5, true)).toBe(true);
  });

  it('has embeddings for exactly the tokens of its picked sentences', () => {
    for (const id of ['a', 'b', 'c', 'd', 'e']) {
      const p = parse(variant(SEED_SPEC, id)) as { embeddings: Record<string, number[]>; data: { text: string }[] };
      const tokens = [...new Set(p.data.flatMap((d) => d.text.split(' ')))];
      expect(Object.keys(p.embeddings)).toEqual(tokens);
      expect(p.data).toHaveLength(2);
    }
  });

  it('keeps picked examples in their listed order', () => {
    const order = ['i love this book', 'great', 'i hate this film', 'boring book'];
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) {
      const p = parse(variant(SEED_SPEC, id)) as { data: { text: string }[] };
      const pos = p.data.map((d) => order.findIndex((o) => d.text.includes(o)));
      expect(pos[0]! < pos[1]!).toBe(true);
    }
  });

  it('shapes a whole-params generator by the cell and convention (LSTM, PyTorch)', () => {
    const f = specFile(`model: {cell: lstm, hidden_size: 2, convention: pytorch, input_size: 3}
embeddings: {random: {}}
params: {random: {min: -0.3, max: 0.3, decimals: 2}}
head: {activation: softmax, loss: cross_entropy, output_size: 3}
data:
  - {text: "a b", target: {random: {}}}
  - {text: "b c a", target: {choice: [0, 2]}}
initial_state: {random: {}}
`);
    const text = variant(f);
    const p = load(text);
    expect(p.params.get('weight_ih')).toHaveLength(8);
    expect((p.params.get('weight_ih') as unknown[][])[0]).toHaveLength(3);
    expect(p.params.get('weight_hh')).toHaveLength(8);
    expect(p.params.get('bias_hh')).toHaveLength(8);
    expect(p.params.get('W_hy')).toHaveLength(3);
    expect(p.initial.get('c0')!.given).toBe(true);
    expect([...p.embeddings.keys()]).toEqual(['a', 'b', 'c']);
    expect(p.examples.map((e) => e.targets[0]!.targetIndex)).toSatisfy((xs: (number | null)[]) => xs.every((x) => x !== null && x >= 0 && x < 3));
    const all = (parse(text) as { params: Record<string, number[][] | number[]> }).params;
    expect(Object.values(all).flat(2).every((x) => Math.abs(x) <= 0.3 && Math.round(x * 100) === Math.round(x * 100 * 1e6) / 1e6)).toBe(true);
  });

  it('shapes a whole-params generator for a stacked bidirectional network, with every initial state', () => {
    const f = specFile(`model: {cell: gru, hidden_size: 2, convention: pytorch, layers: 2, bidirectional: true, input_size: 3}
embeddings: {random: {}}
params: {random: {}}
head: {activation: sigmoid, loss: bce}
data: [{text: "a b", target: 1}]
initial_state: {random: {}}
`);
    const p = load(variant(f));
    expect([...p.params.keys()]).toEqual([
      'weight_ih', 'weight_hh', 'bias_ih', 'bias_hh',
      'weight_ih_reverse', 'weight_hh_reverse', 'bias_ih_reverse', 'bias_hh_reverse',
      'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1',
      'weight_ih_l1_reverse', 'weight_hh_l1_reverse', 'bias_ih_l1_reverse', 'bias_hh_l1_reverse',
      'W_hy', 'b_y',
    ]);
    expect((p.params.get('weight_ih') as unknown[][])[0]).toHaveLength(3);
    expect((p.params.get('weight_ih_l1') as unknown[][])[0]).toHaveLength(4); // both directions of layer 1
    expect((p.params.get('W_hy') as unknown[][])[0]).toHaveLength(4);
    expect([...p.initial.entries()].filter(([, s]) => s.given).map(([k]) => k)).toEqual(['h0', 'h0_reverse', 'h0_l1', 'h0_l1_reverse']);
  });

  it('draws per-timestep targets for output_at: every, probabilities for bce', () => {
    const f = specFile(`model: {cell: gru, hidden_size: 2}
embeddings: {a: [0.1, 0.2], b: [0.3, -0.1]}
params: {random: {}}
head: {activation: sigmoid, loss: bce, output_at: every}
data:
  - {text: "a b a", target: {random: {decimals: 2}}}
`);
    const p = load(variant(f));
    expect(p.examples[0]!.targets).toHaveLength(3);
    for (const y of p.examples[0]!.targets) expect(y.target[0]!.v.gte(0) && y.target[0]!.v.lte(1)).toBe(true);
  });

  it('refuses solve on a spec with one clear line', () => {
    const msg = errorOf(() => solveToText({ problem: SEED_SPEC, format: 'md', out: null, decimals: 4, detail: 'full', precision: 64 }));
    expect(msg.split('\n')[0]).toBe('fixtures/handout/rnn-spec.yaml:8:13: embeddings: is a generator ({random: …}); this is a handout spec: make problems from it with unrolled handout (see the README), or give numbers here');
    expect(msg.split('\n')).toHaveLength(6); // embeddings, W_xh, W_hh, W_hy, data, h0 (the choices inside data's pick are part of it)
    expect(msg).not.toContain('questions');
  });
});

describe('mistakes in a spec', () => {
  const base = (params: string, extra = '') => `model: {cell: rnn, hidden_size: 2}
embeddings: {a: [0.1, 0.2]}
params:
${params}
head: {activation: sigmoid, loss: bce}
data: [{text: "a a", target: 1}]
${extra}`;
  const W = '  W_hh: [[0.1, 0.2], [0.3, 0.4]]\n  b_h: [0, 0]\n  W_hy: [[1, 1]]\n  b_y: [0]';

  it('names an unknown option with its position', () => {
    const f = specFile(base(`  W_xh: {random: {mn: -1, max: 1}}\n${W}`));
    expect(errorOf(() => variant(f))).toBe(`${f}:4:19: params.W_xh.random.mn: unknown field (did you mean "min" or "max"?); expected min, max, decimals, nonzero`);
  });

  it('says when no number fits the grid', () => {
    const f = specFile(base(`  W_xh: {random: {min: 0.5, max: 0.1}}\n${W}`));
    expect(errorOf(() => variant(f))).toBe(`${f}:4:18: params.W_xh.random: no number with 1 decimal place lies from 0.5 to 0.1`);
    const g = specFile(base(`  W_xh: {random: {decimals: 9}}\n${W}`));
    expect(errorOf(() => variant(g))).toMatch(/params\.W_xh\.random\.decimals: expected a whole number from 0 to 6$/);
  });

  it('refuses random numbers where there is no shape to follow', () => {
    const f = specFile(base(`  W_xh: [[1, 2], [3, 4]]\n${W}`, 'training: {learning_rate: {random: {min: 0.1, max: 0.5}}}'));
    expect(errorOf(() => variant(f))).toBe(`${f}:11:27: training.learning_rate: random numbers can be drawn for params, embeddings, initial_state and data targets (all of one, or one entry); give numbers here`);
  });

  it('checks pick against its list', () => {
    const f = specFile(`model: {cell: rnn, hidden_size: 1}\nembeddings: {a: [1]}\nparams: {random: {}}\nhead: {activation: sigmoid, loss: bce}\ndata: {pick: 3, from: [{text: a, target: 1}, {text: a a, target: 0}]}\n`);
    expect(errorOf(() => variant(f))).toBe(`${f}:5:14: data.pick: expected a whole number from 1 to 2 (the length of from)`);
  });

  it('asks for model.input_size when nothing else tells the embedding size', () => {
    const f = specFile(`model: {cell: rnn, hidden_size: 1}\nembeddings: {random: {}}\nparams: {random: {}}\nhead: {activation: sigmoid, loss: bce}\ndata: [{text: a, target: 1}]\n`);
    expect(errorOf(() => variant(f))).toContain('embeddings: needs the input dimension to draw embeddings: give model.input_size (or one embedding as numbers)');
  });

  it('asks for head.output_size for cross-entropy', () => {
    const f = specFile(`model: {cell: rnn, hidden_size: 1, input_size: 2}\nembeddings: {random: {}}\nparams: {random: {}}\nhead: {activation: softmax, loss: cross_entropy}\ndata: [{text: a, target: 1}]\n`);
    expect(errorOf(() => variant(f))).toBe(`${f}:3:9: params: needs the number of outputs to draw the head: give head.output_size (the number of classes)`);
  });

  it('checks questions', () => {
    const f = specFile(base(`  W_xh: [[1, 2], [3, 4]]\n${W}`, 'questions: [ex1.t1.h, "a b"]'));
    expect(errorOf(() => readSpec(f))).toBe(`${f}:11:23: questions[2]: expected a quantity id (ex1.t3.h, grad.W_xh, ex1.t3.h[2]) or a pattern with * (ex*.t*.h)`);
  });
});

describe('input_size and output_size in a problem file', () => {
  it('must agree with the vectors', () => {
    const f = specFile(`model: {cell: rnn, hidden_size: 1, input_size: 3}\nembeddings: {a: [1, 2]}\nparams: {W_xh: [[1, 1]], W_hh: [[1]], b_h: [0], W_hy: [[1]], b_y: [0]}\nhead: {activation: sigmoid, loss: bce, output_size: 2}\ndata: [{text: a, target: 1}]\n`);
    const msg = errorOf(() => solveToText({ problem: f, format: 'md', out: null, decimals: 4, detail: 'full', precision: 64 }));
    expect(msg.split('\n')).toEqual([
      `${f}:1:48: model.input_size: is 3, but the embeddings have 2 entries; make them agree`,
      `${f}:4:53: head.output_size: is 2, but params.W_hy has 1 row (one per output); make them agree`,
    ]);
  });
});
