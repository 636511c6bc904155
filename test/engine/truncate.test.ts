// Truncated BPTT (DESIGN §6): the state is carried forward but detached every k steps. An
// independent check: the truncated gradient equals the sum of the full-BPTT gradients of
// separate problems, one per chunk, each starting from the carried state as a constant
// initial state and holding only that chunk's targets.
import { describe, expect, it } from 'vitest';
import { Numeric, type Num } from '../../src/numeric/index.js';
import { loadProblem } from '../../src/problem/validate.js';
import { solve } from '../../src/engine/solve.js';
import type { Problem } from '../../src/problem/types.js';
import { entriesOf, type Trace, type Value } from '../../src/trace/types.js';
import { solveToText } from '../../src/run/solve.js';

const PRECISION = 64;
const n = Numeric.at(PRECISION);
const run = (p: Problem): Trace => solve(p, { precision: PRECISION });
const flat = (v: Value): Num[] => entriesOf(v);
const q = (tr: Trace, id: string): Value => {
  const v = tr.quantities.get(id);
  if (!v) throw new Error(`no quantity ${id}`);
  return v;
};
/** agree to 1e-55 (only rounding at 64 digits may separate the two computations) */
function close(a: Num[], b: Num[], what: string) {
  expect(a.length, what).toBe(b.length);
  a.forEach((x, i) => {
    const d = x.v.minus(b[i]!.v).abs();
    expect(d.lte(n.parse('1e-55').v.times(x.v.abs().plus(1))), `${what}[${i}]: ${x.v} vs ${b[i]!.v}`).toBe(true);
  });
}

/** The chunk problems of `p` for truncation k, their full-BPTT traces. */
function chunkTraces(p: Problem, k: number, truncated: Trace): Trace[] {
  const out: Trace[] = [];
  p.examples.forEach((ex, e) => {
    const T = ex.inputs.length;
    for (let a = 1; a <= T; a += k) {
      const b = Math.min(a + k - 1, T);
      const initial = new Map(p.initial);
      if (a > 1) for (const s of [...p.initial.keys()]) initial.set(s, { value: (q(truncated, `ex${e + 1}.t${a - 1}.${s.slice(0, -1)}`) as { x: Num[] }).x, given: true });
      out.push(
        run({
          ...p,
          initial,
          examples: [
            {
              tokens: ex.tokens ? ex.tokens.slice(a - 1, b) : null,
              inputs: ex.inputs.slice(a - 1, b),
              targets: ex.targets.filter((y) => y.t >= a && y.t <= b).map((y) => ({ ...y, t: y.t - a + 1 })),
            },
          ],
          training: { ...p.training, truncate: null, learningRate: null, reduction: 'sum' },
        }),
      );
    }
  });
  return out;
}

const CASES: [string, number][] = [
  ['fixtures/rnn-truncated.yaml', 2],
  ['fixtures/rnn-truncated.yaml', 3],
  ['fixtures/seed-rnn-sentiment.yaml', 2],
  ['fixtures/lstm-textbook-small.yaml', 1],
  ['fixtures/lstm-pytorch-small.yaml', 2],
  ['fixtures/gru-textbook-small.yaml', 2],
  ['fixtures/gru-pytorch-small.yaml', 1],
  ['fixtures/rnn-pytorch-small.yaml', 2],
];

describe('truncated BPTT', () => {
  for (const [file, k] of CASES) {
    it(`${file}, truncate ${k}: the sum of the chunks' full gradients`, () => {
      const base = loadProblem(file, n);
      const p: Problem = { ...base, training: { ...base.training, truncate: k, reduction: 'sum', learningRate: null, clipNorm: null } };
      const tr = run(p);
      const chunks = chunkTraces(p, k, tr);
      for (const g of [...tr.batch.grads, ...tr.batch.embGrads]) {
        const parts = chunks.map((c) => q(c, g.id));
        const sum = parts.slice(1).reduce<Num[]>((acc, v) => acc.map((x, i) => n.add(x, flat(v)[i]!)), flat(parts[0]!));
        close(flat(g.value), sum, g.id);
      }
      // the forward pass is untouched by truncation
      const full = run({ ...p, training: { ...p.training, truncate: null } });
      for (const [id, v] of full.quantities) if (/^ex\d+\.t\d+\.(h|c)$/.test(id)) close(flat(q(tr, id)), flat(v), id);
      // and the comparison the solution prints is full minus truncated
      for (const [id, { full: f, missing }] of tr.fullBptt!) {
        close(flat(f), flat(q(full, id)), `full ${id}`);
        close(flat(missing), flat(f).map((x, i) => n.add(x, n.neg(flat(q(tr, id))[i]!))), `missing ${id}`);
      }
    });
  }

  it('changes nothing when the chunk covers the whole sequence', () => {
    const base = loadProblem('fixtures/seed-rnn-sentiment.yaml', n);
    const full = run(base);
    const tr = run({ ...base, training: { ...base.training, truncate: 6 } });
    for (const [id, v] of full.quantities) expect(flat(q(tr, id)).map((x) => x.v.toString()), id).toEqual(flat(v).map((x) => x.v.toString()));
    expect([...tr.fullBptt!.values()].every(({ missing }) => flat(missing).every((x) => x.v.isZero()))).toBe(true);
  });

  it('stops the gradient at every chunk boundary, and the solution says so', () => {
    const tr = run(loadProblem('fixtures/rnn-truncated.yaml', n));
    // δh_2 has only the head's part: W_hy^T δs_2, nothing through z_3
    const dh2 = tr.examples[0]!.backward.find((b) => b.id === 'ex1.t2.dh')!;
    expect(dh2.parts.map((c) => c.from)).toEqual(['ex1.t2.s']);
    const dh3 = tr.examples[0]!.backward.find((b) => b.id === 'ex1.t3.dh')!;
    expect(dh3.parts.map((c) => c.from).sort()).toEqual(['ex1.t3.s', 'ex1.t4.z']);
    const md = solveToText({ problem: 'fixtures/rnn-truncated.yaml', format: 'md', out: null, decimals: 4, detail: 'full', precision: 64 }).text;
    expect(md).toContain('Truncated BPTT: a new chunk starts here. $h_{2}$ is carried forward with its value but detached');
    expect(md).toContain('Truncated BPTT: the state is detached after $t = 2$, the end of a chunk, so nothing flows back into $h_{2}$ from timestep 3');
    expect(md).toContain('chunks of timesteps 1–2, 3–4, 5.');
    expect(md).toContain('| $\\nabla_{W_{hy}} \\mathcal{L}$ `grad.W_hy` | [(-0.1936, 0.2182)] | [(-0.1936, 0.2182)] | nothing: the same |');
    expect(md).toMatch(/\| \$\\nabla_\{W_\{xh\}\} \\mathcal\{L\}\$ `grad\.W_xh` \| \[\(0\.0469, -0\.1887\); \(-0\.0580, 0\.1274\)\] \| \[\(0\.0664, -0\.1889\); \(-0\.0285, 0\.0854\)\] \| \[\(0\.0195, -0\.0003\); \(0\.0295, -0\.0420\)\] \|/);
  });
});
