// Stacked and bidirectional networks (DESIGN §5): 64-digit central-difference gradient checks
// of the whole engine for layers = 2, bidirectional, and both, for every cell in both
// conventions; the torch names and ids; truncation in every layer.
import { describe, it, expect } from 'vitest';
import { ATOL, EPS, flat, n, RTOL, run, TWO_EPS } from '../helpers/fd.js';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Num } from '../../src/numeric/index.js';
import { validate } from '../../src/problem/validate.js';
import { parseSource } from '../../src/problem/source.js';
import { cells } from '../../src/engine/cells/index.js';
import type { CellKind, Convention, Problem } from '../../src/problem/types.js';
import { D, H, problemText, type Config } from './stacked-problems.js';
import type { Mat, Trace, Vec } from '../../src/trace/types.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const lossOf = (p: Problem): Num => flat(run(p).quantities.get('loss')!)[0]!;

const load = (text: string, file = 'stacked.yaml'): Problem => validate(parseSource(text, file), file, n);

/** Central differences of the loss against the engine's gradient for the chosen entries. */
function gradcheck(p: Problem, base: Trace, entriesPerParam: number): { checked: number; bad: string[] } {
  const bad: string[] = [];
  let checked = 0;
  const check = (label: string, perturb: (q: Problem, d: Num) => Problem, analytic: Num) => {
    const fd = n.div(n.sub(lossOf(perturb(p, EPS)), lossOf(perturb(p, n.neg(EPS)))), TWO_EPS);
    checked++;
    const err = n.sub(fd, analytic).v.abs();
    if (err.gt(n.add(ATOL, n.mul(RTOL, { v: analytic.v.abs(), exact: false })).v)) bad.push(`${label}: fd ${n.toString(fd)} vs ${n.toString(analytic)}`);
  };
  for (const [name, value] of p.params) {
    const isMat = Array.isArray(value[0]);
    const cols = isMat ? (value as Mat)[0]!.length : (value as Vec).length;
    const size = isMat ? (value as Mat).length * cols : cols;
    const grad = flat(base.quantities.get(`grad.${name}`)!);
    expect(grad.length, name).toBe(size);
    // a spread of entries: first, last and some between (every entry when entriesPerParam >= size)
    const picks = new Set<number>([0, size - 1]);
    for (let i = 1; picks.size < Math.min(size, entriesPerParam); i++) picks.add((i * 7) % size);
    for (const k of picks) {
      const [i, j] = [Math.floor(k / cols), k % cols];
      check(`${name}[${k}]`, (q, d) => {
        const params = new Map(q.params);
        const old = q.params.get(name)!;
        params.set(name, isMat ? (old as Mat).map((row, a) => row.map((x, b) => (a === i && b === j ? n.add(x, d) : x))) : (old as Vec).map((x, b) => (b === j ? n.add(x, d) : x)));
        return { ...q, params };
      }, grad[k]!);
    }
  }
  // every entry of every input vector: ∂L/∂x_t is ex1.t<t>.dx
  p.examples[0]!.inputs.forEach((x, t) =>
    x.forEach((_, i) =>
      check(`x${t + 1}[${i}]`, (q, d) => ({ ...q, examples: q.examples.map((e) => ({ ...e, inputs: e.inputs.map((y, s) => (s === t ? y.map((w, b) => (b === i ? n.add(w, d) : w)) : y)) })) }), flat(base.quantities.get(`ex1.t${t + 1}.dx`)!)[i]!),
    ),
  );
  return { checked, bad };
}

const CELLS: [CellKind, Convention][] = [['rnn', 'textbook'], ['rnn', 'pytorch'], ['lstm', 'textbook'], ['lstm', 'pytorch'], ['gru', 'textbook'], ['gru', 'pytorch']];
const SHAPES: { name: string; layers: number; bidirectional: boolean; outputAt: 'last' | 'every' }[] = [
  { name: 'layers = 2', layers: 2, bidirectional: false, outputAt: 'every' },
  { name: 'bidirectional', layers: 1, bidirectional: true, outputAt: 'last' },
  { name: 'layers = 2, bidirectional', layers: 2, bidirectional: true, outputAt: 'every' },
  { name: 'layers = 2, bidirectional, many-to-one (h_n)', layers: 2, bidirectional: true, outputAt: 'last' },
];

describe('stacked and bidirectional: finite differences at 64 digits', () => {
  let seed = 100;
  for (const shape of SHAPES) {
    for (const [cell, convention] of CELLS) {
      const c: Config = { cell, convention, ...shape, seed: seed++, l0: seed % 2 === 0 };
      it(`${cell} ${convention}, ${shape.name}`, () => {
        const p = load(problemText(c));
        const base = run(p);
        const dirs = c.bidirectional ? 2 : 1;
        expect(p.params.size).toBe(c.layers * dirs * cells[cell][convention].params(H, D).length + 2);
        const { checked, bad } = gradcheck(p, base, 3);
        expect(bad).toEqual([]);
        expect(checked).toBeGreaterThan(p.params.size * 2);
      }, 120_000);
    }
  }
});

describe('stacked and bidirectional: names, ids, truncation', () => {
  it('a one-layer unidirectional problem written with `_l0` names gives the same ids and values', () => {
    for (const [cell, convention] of CELLS) {
      const c: Config = { cell, convention, layers: 1, bidirectional: false, outputAt: 'every', seed: 7 };
      const plain = run(load(problemText(c)));
      const l0 = run(load(problemText({ ...c, l0: true })));
      expect([...l0.quantities.keys()]).toEqual([...plain.quantities.keys()]);
      for (const [id, v] of plain.quantities) expect(flat(l0.quantities.get(id)!).map((x) => n.toString(x)), id).toEqual(flat(v).map((x) => n.toString(x)));
      // and no id carries a layer or direction suffix
      expect([...plain.quantities.keys()].filter((id) => /_l\d|_reverse/.test(id))).toEqual([]);
    }
  });

  it('ids take the layer and direction suffixes; t is the position in the sequence', () => {
    const tr = run(load(problemText({ cell: 'lstm', convention: 'pytorch', layers: 2, bidirectional: true, outputAt: 'last', seed: 3 })));
    const ids = [...tr.quantities.keys()];
    for (const id of ['ex1.t3.h', 'ex1.t3.h_reverse', 'ex1.t3.c_l1', 'ex1.t1.h_l1_reverse', 'ex1.t2.dh_l1_reverse', 'ex1.t3.dweight_ih_l1', 'ex1.t1.dweight_hh_reverse', 'ex1.dweight_ih_l1_reverse', 'grad.bias_hh_l1', 'ex1.t3.s', 'ex1.t3.dx']) {
      expect(ids, id).toContain(id);
    }
    // the reverse direction starts at t = T from its initial state, and the head reads h←_1 (torch's h_n)
    const rev = tr.examples[0]!.forward.filter((s) => s.name === 'h_reverse').map((s) => s.scope.t);
    expect(rev).toEqual([3, 2, 1]);
    const head = tr.examples[0]!.forward.find((s) => s.name === 'hcat_l1')!;
    expect(head.op === 'concat' && head.args.map((a) => (a.kind === 'step' ? a.id : ''))).toEqual(['ex1.t3.h_l1', 'ex1.t1.h_l1_reverse']);
    // the tape: every x first, then layer by layer (forward t = 1..T, reverse t = T..1), then the head
    const order = tr.examples[0]!.forward.filter((s) => !s.internal && /^(x|h|h_reverse|h_l1|h_l1_reverse|s)$/.test(s.name)).map((s) => `${s.name}@${s.scope.t}`);
    expect(order).toEqual(['x@1', 'x@2', 'x@3', 'h@1', 'h@2', 'h@3', 'h_reverse@3', 'h_reverse@2', 'h_reverse@1', 'h_l1@1', 'h_l1@2', 'h_l1@3', 'h_l1_reverse@3', 'h_l1_reverse@2', 'h_l1_reverse@1', 's@3']);
    // one contribution per (t, parameter), each the sum of its parts
    const perT = tr.examples[0]!.backward.filter((b) => b.kind === 'param');
    expect(perT).toHaveLength(3 * tr.params.length);
    expect(new Set(perT.map((b) => b.id)).size).toBe(perT.length);
  });

  it('the fixture gives the loss of an independent float64 forward pass with torch.nn.GRU(num_layers=2, bidirectional=True) semantics', async () => {
    const { loadProblem } = await import('../../src/problem/validate.js');
    const tr = run(loadProblem(join(ROOT, 'fixtures/gru-pytorch-stacked-bidirectional.yaml'), n));
    // numpy: layers by hand (r, z, n rows; n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))),
    // layer 1 reads [h→_t; h←_t], the head reads [h→_T; h←_1]; summed bce over the two sentences
    const loss = Number(n.toString(flat(tr.quantities.get('loss')!)[0]!));
    expect(Math.abs(loss - 1.4120344511123832)).toBeLessThan(1e-13);
  });

  it('truncate with layers = 2 equals the independent construction: one full-BPTT problem per chunk', () => {
    for (const cell of ['rnn', 'lstm', 'gru'] as const) {
      const c: Config = { cell, convention: 'pytorch', layers: 2, bidirectional: false, outputAt: 'every', seed: 11, truncate: 2 };
      const p = load(problemText(c));
      const truncated = run(p);
      const full = run({ ...p, training: { ...p.training, truncate: null } });
      // the forward pass is the same
      for (const id of ['ex1.t3.h', 'ex1.t3.h_l1', 'loss']) expect(flat(truncated.quantities.get(id)!).map((x) => n.toString(x))).toEqual(flat(full.quantities.get(id)!).map((x) => n.toString(x)));
      // chunk 1: t = 1, 2 from the given initial states; chunk 2: t = 3 from every layer's state at t = 2, as constants
      const ex = p.examples[0]!;
      const first = run({ ...p, training: { ...p.training, truncate: null }, examples: [{ ...ex, inputs: ex.inputs.slice(0, 2), targets: ex.targets.slice(0, 2) }] });
      const initial = new Map(p.initial);
      const states = cells[cell].pytorch.state;
      for (const sfx of ['', '_l1']) for (const st of states) initial.set(`${st}0${sfx}`, { value: flat(full.quantities.get(`ex1.t2.${st}${sfx}`)!), given: true });
      const second = run({ ...p, initial, training: { ...p.training, truncate: null }, examples: [{ ...ex, inputs: ex.inputs.slice(2), targets: [{ ...ex.targets[2]!, t: 1 }] }] });
      for (const param of p.params.keys()) {
        const want = flat(first.quantities.get(`grad.${param}`)!).map((x, i) => n.add(x, flat(second.quantities.get(`grad.${param}`)!)[i]!));
        const got = flat(truncated.quantities.get(`grad.${param}`)!);
        got.forEach((x, i) => expect(n.sub(x, want[i]!).v.abs().lt('1e-55'), `${cell} grad.${param}[${i}]`).toBe(true));
      }
      // and it differs from full BPTT (the chunk boundary cuts something off)
      expect(flat(truncated.quantities.get('grad.weight_hh')!).map((x) => n.toString(x))).not.toEqual(flat(full.quantities.get('grad.weight_hh')!).map((x) => n.toString(x)));
    }
  });
});
