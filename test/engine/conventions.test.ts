// The two parameter conventions of DESIGN §5 side by side. For the RNN and the LSTM they are
// the same function written in two sets of names: the same weights, moved into torch's
// stacked layout (gate rows, input and hidden parts, two biases), must give the same numbers
// everywhere, and the parameter gradients must move the same way. For the GRU they are two
// different functions (where the reset is applied, which side z weights), and the tests pin
// down exactly where they agree and by how much they differ.
import { describe, it, expect } from 'vitest';
import { Numeric, type Num } from '../../src/numeric/index.js';
import { validate } from '../../src/problem/validate.js';
import { parseSource } from '../../src/problem/source.js';
import { solve } from '../../src/engine/solve.js';
import type { Trace, Value } from '../../src/trace/types.js';

const n = Numeric.at(64);
/** "equal" for values computed along different paths: rounding at 64 digits only */
const RTOL = n.parse('1e-60');

type S = string[];
type SM = string[][];

const load = (text: string, name: string) => validate(parseSource(text, name), name, n);
const run = (text: string, name: string): Trace => solve(load(text, name), { precision: 64 });

const yv = (v: S) => `[${v.join(', ')}]`;
const ym = (m: SM) => `[${m.map(yv).join(', ')}]`;
/** exact decimal arithmetic on the strings of a problem file */
const dsub = (a: string, b: string) => n.toString(n.sub(n.parse(a), n.parse(b)));
const dneg = (a: string) => n.toString(n.neg(n.parse(a)));
const cols = (m: SM, from: number, to?: number): SM => m.map((r) => r.slice(from, to));

function get(tr: Trace, id: string): Value {
  const v = tr.quantities.get(id);
  if (!v) throw new Error(`no quantity ${id}`);
  return v;
}
const flat = (v: Value): Num[] => (v.kind === 'scalar' ? [v.x] : v.kind === 'vec' ? v.x : v.x.flat());
const vecOf = (tr: Trace, id: string): Num[] => {
  const v = get(tr, id);
  if (v.kind !== 'vec') throw new Error(`${id} is a ${v.kind}, expected a vector`);
  return v.x;
};
const strings = (xs: Num[]) => xs.map((x) => n.toString(x));
/** rows [k·H, (k + 1)·H) of a stacked value (matrix or vector), flattened */
function block(v: Value, k: number, H: number): Num[] {
  if (v.kind === 'mat') return v.x.slice(k * H, (k + 1) * H).flat();
  if (v.kind === 'vec') return v.x.slice(k * H, (k + 1) * H);
  throw new Error('a scalar has no row blocks');
}
/** columns [from, to) of a matrix value, flattened by rows */
function colBlock(v: Value, from: number, to?: number): Num[] {
  if (v.kind !== 'mat') throw new Error(`expected a matrix, got a ${v.kind}`);
  return v.x.flatMap((r) => r.slice(from, to));
}

/** |a − b| ≤ 1e-60 · max(|a|, |b|); exact values must be the very same decimal. */
function same(a: Num, b: Num): boolean {
  if (a.exact && b.exact) return n.toString(a) === n.toString(b);
  const scale = a.v.abs().gt(b.v.abs()) ? a.v.abs() : b.v.abs();
  return a.v.minus(b.v).abs().lte(scale.times(RTOL.v));
}

/** Every entry of `got` against `want`: a list of what differs (empty when all agree). */
function differences(label: string, got: Num[], want: Num[]): string[] {
  if (got.length !== want.length) return [`${label}: ${got.length} entries vs ${want.length}`];
  return got.flatMap((g, i) => (same(g, want[i]!) ? [] : [`${label}[${i}]: ${n.toString(g)} vs ${n.toString(want[i]!)}`]));
}

/** ids that name a parameter (its gradient, per timestep or example or batch, or its update) */
function paramIds(tr: Trace, names: string[]): string[] {
  const re = new RegExp(`(^grad\\.|^update\\.|\\.d)(${names.join('|')})$`);
  return [...tr.quantities.keys()].filter((id) => re.test(id));
}

interface Shared {
  ids: string[];
  bad: string[];
  /** how many shared ids had exact values (then string-equal) */
  exact: number;
}

/** Every quantity id both traces have: equal values. And the ids only one has name its parameters. */
function compareShared(a: Trace, aParams: string[], b: Trace, bParams: string[]): Shared & { onlyA: string[]; onlyB: string[] } {
  const ids = [...a.quantities.keys()].filter((id) => b.quantities.has(id));
  const bad: string[] = [];
  let exact = 0;
  for (const id of ids) {
    const x = get(a, id);
    const y = get(b, id);
    if (x.kind !== y.kind) bad.push(`${id}: ${x.kind} vs ${y.kind}`);
    bad.push(...differences(id, flat(x), flat(y)));
    if (flat(x).every((v) => v.exact) && flat(y).every((v) => v.exact)) exact++;
  }
  const onlyA = [...a.quantities.keys()].filter((id) => !b.quantities.has(id));
  const onlyB = [...b.quantities.keys()].filter((id) => !a.quantities.has(id));
  // what only one convention has is exactly its own parameters' ids
  expect(onlyA.sort()).toEqual(paramIds(a, aParams).sort());
  expect(onlyB.sort()).toEqual(paramIds(b, bParams).sort());
  return { ids, bad, exact, onlyA, onlyB };
}

/** Every scope a parameter gradient has: batch, each example, each timestep of each example. */
function gradScopes(tr: Trace): string[] {
  return ['grad.', ...tr.examples.flatMap((e) => [`ex${e.index}.d`, ...Array.from({ length: e.length }, (_, t) => `ex${e.index}.t${t + 1}.d`)])];
}

// ---------------------------------------------------------------------------------------
// LSTM

describe('LSTM: the textbook and pytorch conventions are one function', () => {
  const H = 2;
  const D = 3;
  // textbook gates act on [h; x]: the first H columns read h, the last D read x
  const W: Record<'f' | 'i' | 'c' | 'o', SM> = {
    f: [['0.2', '-0.1', '0.4', '0.3', '-0.2'], ['0.1', '0.3', '-0.2', '0.5', '0.1']],
    i: [['0.3', '0.2', '-0.1', '0.2', '0.4'], ['-0.2', '0.4', '0.3', '0.1', '-0.3']],
    c: [['0.6', '-0.3', '0.2', '0.4', '-0.1'], ['0.1', '0.5', '-0.4', '0.2', '0.3']],
    o: [['0.2', '0.1', '0.3', '-0.2', '0.25'], ['0.4', '-0.3', '0.1', '0.2', '-0.15']],
  };
  const b: Record<'f' | 'i' | 'c' | 'o', S> = { f: ['0.5', '0.5'], i: ['0', '0.1'], c: ['0.1', '-0.1'], o: ['0', '0.2'] };
  // torch.nn.LSTM stacks the gates in the order i, f, g, o (g is the textbook's C̃, W_c)
  const TORCH_ORDER = ['i', 'f', 'c', 'o'] as const;
  const rest = `  W_hy: [[0.8, -0.5], [-0.3, 0.6]]
  b_y: [0.05, -0.05]
head: { activation: softmax, loss: cross_entropy, output_at: every }
embeddings:
  a: [0.5, -0.3, 0.2]
  b: [-0.1, 0.4, 0.6]
  c: [0.3, 0.3, -0.7]
data:
  - text: "a b a"
    target: [0, 1, 1]
  - inputs: [[1, 0, -0.5], [0.25, -1, 2]]
    target: [[0.25, 0.75], 0]
initial_state: { h0: [0.1, -0.2], c0: [0.5, -1] }
training: { reduction: mean, learning_rate: 0.1 }
`;
  const textbook = `title: LSTM textbook
model: { cell: lstm, hidden_size: ${H} }
params:
${(['f', 'i', 'c', 'o'] as const).map((k) => `  W_${k}: ${ym(W[k])}\n  b_${k}: ${yv(b[k])}`).join('\n')}
${rest}`;
  // each bias split in two exact parts: b_ih = b − 0.05, b_hh = 0.05
  const pytorch = `title: LSTM pytorch
model: { cell: lstm, hidden_size: ${H}, convention: pytorch }
params:
  weight_ih_l0: ${ym(TORCH_ORDER.flatMap((k) => cols(W[k], H)))}
  weight_hh_l0: ${ym(TORCH_ORDER.flatMap((k) => cols(W[k], 0, H)))}
  bias_ih_l0: ${yv(TORCH_ORDER.flatMap((k) => b[k].map((x) => dsub(x, '0.05'))))}
  bias_hh_l0: ${yv(TORCH_ORDER.flatMap(() => Array.from({ length: H }, () => '0.05')))}
${rest}`;
  const tb = run(textbook, 'lstm-textbook.yaml');
  const pt = run(pytorch, 'lstm-pytorch.yaml');
  const TB_PARAMS = ['W_f', 'b_f', 'W_i', 'b_i', 'W_c', 'b_c', 'W_o', 'b_o'];
  const PT_PARAMS = ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'];

  it('the pytorch file is the textbook weights moved: weight_ih row 3 is the x part of W_f row 1', () => {
    const p = load(pytorch, 'lstm-pytorch.yaml');
    const row = (p.params.get('weight_ih') as Num[][])[2]!;
    expect(strings(row)).toEqual(['0.4', '0.3', '-0.2']);
    expect(strings(p.params.get('bias_ih') as Num[])).toEqual(['-0.05', '0.05', '0.45', '0.45', '0.05', '-0.15', '-0.05', '0.15']);
  });

  it('every quantity id both have is equal: exact ones as the same decimal, the rest to 1e-60', () => {
    const r = compareShared(tb, TB_PARAMS, pt, PT_PARAMS);
    expect(r.bad).toEqual([]);
    // the comparison covers the whole of DESIGN §7 for the LSTM, forward and backward
    for (const ex of [1, 2]) {
      for (const name of ['x', 'f_pre', 'i_pre', 'g_pre', 'o_pre', 'f', 'i', 'g', 'o', 'c', 'tanh_c', 'h', 's', 'yhat', 'loss']) {
        expect(r.ids).toContain(`ex${ex}.t1.${name}`);
        if (name !== 'loss') expect(r.ids).toContain(`ex${ex}.t2.d${name}`);
      }
      expect(r.ids).toContain(`ex${ex}.loss`);
      expect(r.ids).toContain(`ex${ex}.dW_hy`);
    }
    for (const id of ['ex1.demb.a', 'ex1.demb.b', 'grad.emb.a', 'grad.emb.c', 'loss', 'grad.W_hy', 'grad.b_y', 'update.W_hy', 'update.emb.b', 'ex2.t2.dx']) {
      expect(r.ids).toContain(id);
    }
    expect(r.ids.length).toBeGreaterThan(150);
    // and the first step's pre-activations are exact in both (h0, c0, x, weights are decimals)
    expect(r.exact).toBeGreaterThan(10);
    for (const name of ['f_pre', 'i_pre', 'g_pre', 'o_pre']) {
      expect(vecOf(pt, `ex1.t1.${name}`).every((x) => x.exact), name).toBe(true);
      expect(strings(vecOf(pt, `ex1.t1.${name}`))).toEqual(strings(vecOf(tb, `ex1.t1.${name}`)));
    }
    // f_pre_1 = W_f [h0; x_1] + b_f = [0.02 + 0.02 + 0.2 − 0.09 − 0.04, 0.01 − 0.06 − 0.1 − 0.15 + 0.02] + [0.5, 0.5]
    expect(strings(vecOf(pt, 'ex1.t1.f_pre'))).toEqual(['0.61', '0.22']);
  });

  it('the parameter gradients correspond: gate blocks of weight_ih/weight_hh are the x/h columns of W_·, both biases get grad b_·', () => {
    const bad: string[] = [];
    for (const scope of gradScopes(tb)) {
      TORCH_ORDER.forEach((k, gate) => {
        const gW = get(tb, `${scope}W_${k}`);
        const gb = get(tb, `${scope}b_${k}`);
        bad.push(...differences(`${scope}weight_ih gate ${k}`, block(get(pt, `${scope}weight_ih`), gate, H), colBlock(gW, H)));
        bad.push(...differences(`${scope}weight_hh gate ${k}`, block(get(pt, `${scope}weight_hh`), gate, H), colBlock(gW, 0, H)));
        bad.push(...differences(`${scope}bias_ih gate ${k}`, block(get(pt, `${scope}bias_ih`), gate, H), flat(gb)));
        bad.push(...differences(`${scope}bias_hh gate ${k}`, block(get(pt, `${scope}bias_hh`), gate, H), flat(gb)));
      });
    }
    expect(bad).toEqual([]);
    // not vacuous: the forget gate's gradient is not zero
    expect(flat(get(tb, 'grad.W_f')).every((x) => !x.v.isZero())).toBe(true);
    expect(colBlock(get(tb, 'grad.W_f'), H).length).toBe(H * D);
  });

  it('the updates correspond: θ − η g on the same weights; the two biases each take the whole step', () => {
    const bad: string[] = [];
    const eta = n.parse('0.1');
    TORCH_ORDER.forEach((k, gate) => {
      const uW = get(tb, `update.W_${k}`);
      bad.push(...differences(`update.weight_ih gate ${k}`, block(get(pt, 'update.weight_ih'), gate, H), colBlock(uW, H)));
      bad.push(...differences(`update.weight_hh gate ${k}`, block(get(pt, 'update.weight_hh'), gate, H), colBlock(uW, 0, H)));
      // (b − 0.05 − η g) + (0.05 − η g) = (b − η g) − η g
      const sum = block(get(pt, 'update.bias_ih'), gate, H).map((x, j) => n.add(x, block(get(pt, 'update.bias_hh'), gate, H)[j]!));
      const want = flat(get(tb, `update.b_${k}`)).map((x, j) => n.sub(x, n.mul(eta, flat(get(tb, `grad.b_${k}`))[j]!)));
      bad.push(...differences(`update.bias_ih + update.bias_hh gate ${k}`, sum, want));
    });
    expect(bad).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------
// RNN

describe('RNN: textbook and pytorch are one function', () => {
  const W_xh: SM = [['0.2', '0.4', '0.1'], ['0.1', '-0.3', '0.5']];
  const W_hh: SM = [['0.3', '-0.2'], ['0.5', '0.4']];
  const b_h: S = ['0.1', '-0.25'];
  const rest = `  W_hy: [[0.3, -0.2]]
  b_y: [0.1]
head: { activation: sigmoid, loss: bce, output_at: last }
embeddings:
  i: [0.1, 0.2, 0.3]
  love: [0.4, 0.1, 0.5]
data:
  - text: "i love i"
    target: 1
  - inputs: [[1, -1, 0.5]]
    target: 0.25
initial_state: { h0: [0.5, -0.5] }
`;
  const tb = run(`model: { cell: rnn, hidden_size: 2 }\nparams:\n  W_xh: ${ym(W_xh)}\n  W_hh: ${ym(W_hh)}\n  b_h: ${yv(b_h)}\n${rest}`, 'rnn-textbook.yaml');
  const pt = run(
    `model: { cell: rnn, hidden_size: 2, convention: pytorch }\nparams:\n  weight_ih: ${ym(W_xh)}\n  weight_hh: ${ym(W_hh)}\n` +
      `  bias_ih: ${yv(b_h.map((x) => dsub(x, '0.05')))}\n  bias_hh: [0.05, 0.05]\n${rest}`,
    'rnn-pytorch.yaml',
  );

  it('the same z, h, loss and every other shared id', () => {
    const r = compareShared(tb, ['W_xh', 'W_hh', 'b_h'], pt, ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']);
    expect(r.bad).toEqual([]);
    for (const id of ['ex1.t1.z', 'ex1.t3.h', 'ex1.t2.dz', 'ex2.t1.dx', 'ex1.demb.i', 'loss', 'grad.W_hy']) expect(r.ids).toContain(id);
    // z_1 = W_xh x_1 + W_hh h0 + b_h, exact: [0.02 + 0.08 + 0.03 + 0.15 + 0.1 + 0.1, 0.01 − 0.06 + 0.15 + 0.25 − 0.2 − 0.25]
    expect(strings(vecOf(tb, 'ex1.t1.z'))).toEqual(['0.48', '-0.1']);
    expect(strings(vecOf(pt, 'ex1.t1.z'))).toEqual(['0.48', '-0.1']);
  });

  it('grad.weight_ih = grad.W_xh, grad.weight_hh = grad.W_hh, grad.bias_ih = grad.bias_hh = grad.b_h, in every scope', () => {
    const bad: string[] = [];
    for (const scope of gradScopes(tb)) {
      bad.push(...differences(`${scope}weight_ih`, flat(get(pt, `${scope}weight_ih`)), flat(get(tb, `${scope}W_xh`))));
      bad.push(...differences(`${scope}weight_hh`, flat(get(pt, `${scope}weight_hh`)), flat(get(tb, `${scope}W_hh`))));
      bad.push(...differences(`${scope}bias_ih`, flat(get(pt, `${scope}bias_ih`)), flat(get(tb, `${scope}b_h`))));
      bad.push(...differences(`${scope}bias_hh`, flat(get(pt, `${scope}bias_hh`)), flat(get(tb, `${scope}b_h`))));
    }
    expect(bad).toEqual([]);
    expect(flat(get(tb, 'grad.b_h')).every((x) => !x.v.isZero())).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------
// GRU

describe('GRU: the textbook and pytorch conventions are different functions', () => {
  // textbook: z = σ(W_z v + b_z), r = σ(W_r v + b_r), n = tanh(W_h [r ⊙ h; x] + b_h), h' = (1 − z) ⊙ h + z ⊙ n
  // pytorch:  r, z alike, n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h
  const H = 2;
  interface Gru {
    W_z: SM;
    W_r: SM;
    W_h: SM;
    b_z: S;
    b_r: S;
    b_h: S;
  }
  const base: Gru = {
    W_z: [['0.2', '-0.1', '0.3', '0.1'], ['0.4', '0.2', '-0.2', '0.5']],
    W_r: [['0.1', '0.3', '-0.4', '0.2'], ['-0.3', '0.2', '0.1', '0.6']],
    W_h: [['0.5', '-0.4', '0.2', '0.3'], ['0.3', '0.6', '-0.5', '0.1']],
    b_z: ['0.1', '-0.2'],
    b_r: ['0', '0.1'],
    b_h: ['0.05', '-0.1'],
  };
  const rest = (h0: S | null) => `  W_hy: [[0.7, -0.2]]
  b_y: [0.1]
head: { activation: identity, loss: mse, output_at: every }
data:
  - inputs: [[1, 0.5], [-0.5, 0.25]]
    target: [0.3, -0.2]
${h0 ? `initial_state: { h0: ${yv(h0)} }\n` : ''}`;
  const textbookText = (w: Gru, h0: S | null) =>
    `model: { cell: gru, hidden_size: ${H} }\nparams:\n` +
    (['z', 'r', 'h'] as const).map((k) => `  W_${k}: ${ym(w[`W_${k}`])}\n  b_${k}: ${yv(w[`b_${k}`])}\n`).join('') +
    rest(h0);
  /** the closest torch.nn.GRU: rows r, z, n; x and h parts split; the biases in bias_ih, bias_hh zero */
  const pytorchText = (w: Gru, h0: S | null, negateZ = false) => {
    const z = negateZ ? w.W_z.map((r) => r.map(dneg)) : w.W_z;
    const bz = negateZ ? w.b_z.map(dneg) : w.b_z;
    return (
      `model: { cell: gru, hidden_size: ${H}, convention: pytorch }\nparams:\n` +
      `  weight_ih: ${ym([...cols(w.W_r, H), ...cols(z, H), ...cols(w.W_h, H)])}\n` +
      `  weight_hh: ${ym([...cols(w.W_r, 0, H), ...cols(z, 0, H), ...cols(w.W_h, 0, H)])}\n` +
      `  bias_ih: ${yv([...w.b_r, ...bz, ...w.b_h])}\n` +
      `  bias_hh: ${yv(Array.from({ length: 3 * H }, () => '0'))}\n` +
      rest(h0)
    );
  };
  const pair = (w: Gru, h0: S | null, negateZ = false) => ({
    tb: run(textbookText(w, h0), 'gru-textbook.yaml'),
    pt: run(pytorchText(w, h0, negateZ), 'gru-pytorch.yaml'),
  });
  const W_hn = (w: Gru) => cols(w.W_h, 0, H).map((r) => r.map((x) => n.parse(x)));
  const matvec = (M: Num[][], v: Num[]) => M.map((row) => n.sum(row.map((m, j) => n.mul(m, v[j]!))));
  const had = (a: Num[], b: Num[]) => a.map((x, j) => n.mul(x, b[j]!));
  const plus = (a: Num[], b: Num[]) => a.map((x, j) => n.add(x, b[j]!));
  const minus = (a: Num[], b: Num[]) => a.map((x, j) => n.sub(x, b[j]!));
  const oneMinus = (a: Num[]) => a.map((x) => n.sub(n.one, x));

  it('h0 = 0: r, z and n agree at t = 1, exactly; h_1 is z ⊙ n (textbook) against (1 − z) ⊙ n (pytorch), apart by (2z − 1) ⊙ n', () => {
    const { tb, pt } = pair(base, null);
    // with h0 = 0 the reset has nothing to act on in either: r ⊙ 0 = 0 and r ⊙ (W_hn 0 + 0) = 0
    for (const name of ['r_pre', 'z_pre', 'n_pre']) {
      expect(vecOf(tb, `ex1.t1.${name}`).every((x) => x.exact), name).toBe(true);
      expect(strings(vecOf(pt, `ex1.t1.${name}`)), name).toEqual(strings(vecOf(tb, `ex1.t1.${name}`)));
    }
    // z_pre_1 = W_z [0; x_1] + b_z = [0.3 + 0.05 + 0.1, −0.2 + 0.25 − 0.2], n_pre_1 = [0.2 + 0.15 + 0.05, −0.5 + 0.05 − 0.1]
    expect(strings(vecOf(tb, 'ex1.t1.z_pre'))).toEqual(['0.45', '-0.15']);
    expect(strings(vecOf(tb, 'ex1.t1.n_pre'))).toEqual(['0.4', '-0.55']);
    expect(strings(vecOf(pt, 'ex1.t1.hn'))).toEqual(['0', '0']);
    for (const name of ['r', 'z', 'n']) expect(strings(vecOf(pt, `ex1.t1.${name}`)), name).toEqual(strings(vecOf(tb, `ex1.t1.${name}`)));

    const z = vecOf(tb, 'ex1.t1.z');
    const nn = vecOf(tb, 'ex1.t1.n');
    const hTb = vecOf(tb, 'ex1.t1.h');
    const hPt = vecOf(pt, 'ex1.t1.h');
    expect(differences('textbook h_1 = z ⊙ n', hTb, had(z, nn))).toEqual([]);
    expect(differences('pytorch h_1 = (1 − z) ⊙ n', hPt, had(oneMinus(z), nn))).toEqual([]);
    // the gap is (2z − 1) ⊙ n, and it is large: 2σ(0.45) − 1 = tanh(0.225) = 0.2212…, times tanh(0.4) = 0.3799…
    const gap = minus(hTb, hPt);
    expect(differences('h_1 textbook − pytorch', gap, had(z.map((x) => n.sub(n.add(x, x), n.one)), nn))).toEqual([]);
    expect(n.toString(gap[0]!).slice(0, 12)).toBe('0.0840745242');
    expect(gap.every((x) => x.v.abs().gt('0.01'))).toBe(true);
    // and the two add up to n_1
    expect(differences('h_1 textbook + pytorch = n_1', plus(hTb, hPt), nn)).toEqual([]);
    // so the losses differ
    expect(n.sub(vecOf(tb, 'ex1.t1.yhat')[0]!, vecOf(pt, 'ex1.t1.yhat')[0]!).v.abs().gt('0.001')).toBe(true);
  });

  it('h0 = 0 and z weights negated in the pytorch file: z_pt = 1 − z_tb, and h_1 agrees (to rounding)', () => {
    const { tb, pt } = pair(base, null, true);
    expect(differences('z_pt = 1 − z_tb', vecOf(pt, 'ex1.t1.z'), oneMinus(vecOf(tb, 'ex1.t1.z')))).toEqual([]);
    expect(differences('h_1', vecOf(pt, 'ex1.t1.h'), vecOf(tb, 'ex1.t1.h'))).toEqual([]);
    // but not h_2: now h_1 ≠ 0 and the reset acts in different places, W_hn (r ⊙ h) vs r ⊙ (W_hn h)
    const r2 = vecOf(tb, 'ex1.t2.r');
    const h1 = vecOf(tb, 'ex1.t1.h');
    expect(differences('r_2', vecOf(pt, 'ex1.t2.r'), r2)).toEqual([]);
    const gap = minus(vecOf(tb, 'ex1.t2.n_pre'), vecOf(pt, 'ex1.t2.n_pre'));
    const want = minus(matvec(W_hn(base), had(r2, h1)), had(r2, matvec(W_hn(base), h1)));
    expect(differences('n_pre_2 textbook − pytorch = W_hn (r ⊙ h_1) − r ⊙ (W_hn h_1)', gap, want)).toEqual([]);
    expect(gap.every((x) => x.v.abs().gt('1e-4'))).toBe(true);
    expect(n.sub(vecOf(tb, 'ex1.t2.h')[0]!, vecOf(pt, 'ex1.t2.h')[0]!).v.abs().gt('1e-5')).toBe(true);
  });

  it('h0 ≠ 0: r and z still agree, n_pre differs by W_hn (r ⊙ h0) − r ⊙ (W_hn h0), and h_1 by the z-weighting too', () => {
    const h0 = ['0.5', '-0.5'];
    const { tb, pt } = pair(base, h0);
    for (const name of ['r_pre', 'z_pre']) expect(strings(vecOf(pt, `ex1.t1.${name}`)), name).toEqual(strings(vecOf(tb, `ex1.t1.${name}`)));
    // r_pre_1 = W_r [h0; x_1] + b_r = [0.05 − 0.15 − 0.4 + 0.1, −0.15 − 0.1 + 0.1 + 0.3 + 0.1]
    expect(strings(vecOf(tb, 'ex1.t1.r_pre'))).toEqual(['-0.4', '0.25']);
    const r = vecOf(tb, 'ex1.t1.r');
    const z = vecOf(tb, 'ex1.t1.z');
    const h0n = h0.map((x) => n.parse(x));
    // pytorch: hn = W_hn h0 + b_hn, exactly [0.25 + 0.2, 0.15 − 0.3]
    expect(strings(vecOf(pt, 'ex1.t1.hn'))).toEqual(['0.45', '-0.15']);
    const gap = minus(vecOf(tb, 'ex1.t1.n_pre'), vecOf(pt, 'ex1.t1.n_pre'));
    const want = minus(matvec(W_hn(base), had(r, h0n)), had(r, matvec(W_hn(base), h0n)));
    expect(differences('n_pre_1 textbook − pytorch', gap, want)).toEqual([]);
    expect(gap.every((x) => x.v.abs().gt('1e-3'))).toBe(true);
    // each h_1 is its own convention's formula
    const nTb = vecOf(tb, 'ex1.t1.n');
    const nPt = vecOf(pt, 'ex1.t1.n');
    expect(differences('textbook h_1', vecOf(tb, 'ex1.t1.h'), plus(had(oneMinus(z), h0n), had(z, nTb)))).toEqual([]);
    expect(differences('pytorch h_1', vecOf(pt, 'ex1.t1.h'), plus(had(oneMinus(z), nPt), had(z, h0n)))).toEqual([]);
    const gapH = minus(vecOf(tb, 'ex1.t1.h'), vecOf(pt, 'ex1.t1.h'));
    expect(strings(gapH).map((x) => x.slice(0, 9))).toEqual(['0.0215615', '-0.006426']);
  });

  it('z_pre = 0 exactly and h0 = 0: z = 1/2 in both, and h_1 agrees exactly (the same decimal)', () => {
    // W_z's x part chosen so that W_z [0; x_1] + b_z = 0 for x_1 = [1, 0.5]: 0.3 − 0.2 + (−0.1), 0.2 + 0.15 + (−0.35)
    const w: Gru = { ...base, W_z: [['0.2', '-0.1', '0.3', '-0.4'], ['0.4', '0.2', '0.2', '0.3']], b_z: ['-0.1', '-0.35'] };
    const { tb, pt } = pair(w, null);
    for (const t of [tb, pt]) {
      expect(strings(vecOf(t, 'ex1.t1.z_pre'))).toEqual(['0', '0']);
      expect(strings(vecOf(t, 'ex1.t1.z'))).toEqual(['0.5', '0.5']);
      expect(vecOf(t, 'ex1.t1.z').every((x) => x.exact)).toBe(true);
    }
    expect(strings(vecOf(pt, 'ex1.t1.h'))).toEqual(strings(vecOf(tb, 'ex1.t1.h')));
    expect(strings(vecOf(pt, 'ex1.t1.h'))).toEqual(strings(had(vecOf(tb, 'ex1.t1.z'), vecOf(tb, 'ex1.t1.n'))));
    expect(strings(vecOf(pt, 'ex1.t1.yhat'))).toEqual(strings(vecOf(tb, 'ex1.t1.yhat')));
    expect(n.toString(get(pt, 'ex1.t1.loss').x as Num)).toBe(n.toString(get(tb, 'ex1.t1.loss').x as Num));
    // from t = 2 on they part: same r and z (the same h_1 goes in), different n (the reset)
    for (const name of ['r_pre', 'z_pre', 'r', 'z']) expect(differences(name, vecOf(pt, `ex1.t2.${name}`), vecOf(tb, `ex1.t2.${name}`))).toEqual([]);
    expect(minus(vecOf(tb, 'ex1.t2.n'), vecOf(pt, 'ex1.t2.n')).every((x) => x.v.abs().gt('1e-4'))).toBe(true);
    // so the example losses differ, and so do the gradients, even of the parameters both share
    expect(n.sub(get(tb, 'loss').x as Num, get(pt, 'loss').x as Num).v.abs().gt('1e-6')).toBe(true);
    expect(differences('grad.b_y', flat(get(pt, 'grad.b_y')), flat(get(tb, 'grad.b_y'))).length).toBe(1);
  });
});
