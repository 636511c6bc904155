// concat and mix, with their local gradients.
//   concat: v = [a; b; …]                 dv splits back: da = (dv)_{1..|a|}, db = the rest
//   mix:    y = Σ_k a_k ⊙ b_k, where a term may use (1 − a_k) instead of a_k
//           da_k = ± dy ⊙ b_k  (− for the complement),  db_k = dy ⊙ a_k  (or dy ⊙ (1 − a_k))
// mix covers c_t = f ⊙ c_{t−1} + i ⊙ g,  h_t = o ⊙ tanh(c_t),  h_t = (1 − z) ⊙ h_{t−1} + z ⊙ n.
import type { Numeric } from '../../numeric/index.js';
import type { Contribution, MixTerm, Step, Value, Vec } from '../../trace/types.js';
import { asVec, vec } from '../linalg.js';
import type { OpContext } from './context.js';

export function concatForward(parts: Vec[]): Vec {
  return parts.flat();
}

export function concatBackward(step: Extract<Step, { op: 'concat' }>, g: Value, grad: string, cx: OpContext): Contribution[] {
  const dv = asVec(g);
  const out: Contribution[] = [];
  let at = 0;
  for (const a of step.args) {
    const len = asVec(cx.value(a)).length;
    const range: [number, number] = [at, at + len];
    at += len;
    if (a.kind === 'step') out.push({ from: step.id, to: { kind: 'step', id: a.id }, rule: 'slice', grad, range, value: vec(dv.slice(...range)) });
  }
  return out;
}

export function mixForward(n: Numeric, terms: { a: Vec; complement: boolean; b: Vec }[]): Vec {
  const len = terms[0]!.b.length;
  return Array.from({ length: len }, (_, j) =>
    n.sum(terms.map((t) => n.mul(t.complement ? n.sub(n.one, t.a[j]!) : t.a[j]!, t.b[j]!))),
  );
}

export function mixBackward(step: Extract<Step, { op: 'mix' }>, g: Value, grad: string, cx: OpContext): Contribution[] {
  const n = cx.num;
  const dy = asVec(g);
  const out: Contribution[] = [];
  step.terms.forEach((t: MixTerm) => {
    const a = asVec(cx.value(t.a));
    const b = asVec(cx.value(t.b));
    if (t.a.kind === 'step') {
      const value = dy.map((d, j) => (t.complement ? n.neg(n.mul(d, b[j]!)) : n.mul(d, b[j]!)));
      out.push({ from: step.id, to: { kind: 'step', id: t.a.id }, rule: 'mix', grad, role: 'a', other: t.b, complement: t.complement, value: vec(value) });
    }
    if (t.b.kind === 'step') {
      const value = dy.map((d, j) => n.mul(d, t.complement ? n.sub(n.one, a[j]!) : a[j]!));
      out.push({ from: step.id, to: { kind: 'step', id: t.b.id }, rule: 'mix', grad, role: 'b', other: t.a, complement: t.complement, value: vec(value) });
    }
  });
  return out;
}
