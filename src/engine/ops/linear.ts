// affine: z = Σ_k W_k v_k + Σ_j b_j + Σ_m a_m, and its local gradients.
//   forward:  z_i = Σ_k Σ_c W_k[i][c] v_k[c] + Σ_j b_j[i] + Σ_m a_m[i]
//   backward: dW_k += dz v_kᵀ,  dv_k += W_kᵀ dz,  db_j += dz,  da_m += dz
// (the addends a_m are computed vectors, e.g. r ⊙ (W_hn h + b_hn) in PyTorch's GRU)
// sum: a weighted sum of scalars (the example loss over timesteps); each input gets the gradient.
import type { Numeric, Num } from '../../numeric/index.js';
import type { AffineTerm, Arg, Contribution, ParamArg, Step, Target, Value, Vec } from '../../trace/types.js';
import { asVec, matvec, matTvec, outer, mat, vec, scalar } from '../linalg.js';
import type { OpContext } from './context.js';

export function affineForward(
  n: Numeric,
  terms: { W: ParamArg; Wv: Vec[]; v: Arg; vv: Vec }[],
  biases: { b: ParamArg; bv: Vec }[],
  addends: Vec[] = [],
): { terms: AffineTerm[]; value: Vec } {
  const done = terms.map((t) => ({ W: t.W, v: t.v, product: matvec(n, t.Wv, t.vv) }));
  const rows = done[0]?.product.length ?? biases[0]!.bv.length;
  const value = Array.from({ length: rows }, (_, i) =>
    n.sum([...done.map((t) => t.product[i]!), ...biases.map((b) => b.bv[i]!), ...addends.map((a) => a[i]!)]),
  );
  return { terms: done, value };
}

export function affineBackward(step: Extract<Step, { op: 'affine' }>, g: Value, grad: string, cx: OpContext): Contribution[] {
  const n = cx.num;
  const dz = asVec(g);
  const out: Contribution[] = [];
  for (const t of step.terms) {
    const v = asVec(cx.value(t.v));
    out.push({
      from: step.id,
      to: paramTarget(t.W),
      rule: 'outer',
      grad,
      v: t.v,
      value: mat(outer(n, dz, v)),
    });
    if (t.v.kind === 'step') {
      out.push({
        from: step.id,
        to: { kind: 'step', id: t.v.id },
        rule: 'matvecT',
        grad,
        W: t.W,
        value: vec(matTvec(n, cx.param(t.W), dz)),
      });
    }
  }
  for (const b of step.biases) {
    out.push({ from: step.id, to: paramTarget(b), rule: 'copy', grad, value: vec(dz) });
  }
  for (const a of step.addends) {
    if (a.kind === 'step') out.push({ from: step.id, to: { kind: 'step', id: a.id }, rule: 'copy', grad, value: vec(dz) });
  }
  return out;
}

const paramTarget = (p: ParamArg): Target =>
  p.rows ? { kind: 'param', name: p.name, rows: p.rows } : { kind: 'param', name: p.name };

export function sumForward(n: Numeric, xs: Num[], scale: Num | null): Num {
  const s = n.sum(xs);
  return scale ? n.mul(scale, s) : s;
}

export function sumBackward(step: Extract<Step, { op: 'sum' }>, g: Value, grad: string, cx: OpContext): Contribution[] {
  const n = cx.num;
  const each = step.scale ? n.mul(step.scale, g.kind === 'scalar' ? g.x : n.zero) : g.kind === 'scalar' ? g.x : n.zero;
  return step.args.flatMap((a): Contribution[] =>
    a.kind === 'step'
      ? [{ from: step.id, to: { kind: 'step', id: a.id }, rule: 'sum', grad, scale: step.scale, value: scalar(each) }]
      : [],
  );
}
