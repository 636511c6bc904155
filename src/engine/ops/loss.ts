// Losses of one output step, with ∂L/∂ŷ beside each.
//   bce:           L = −Σ_k [y_k log ŷ_k + (1 − y_k) log(1 − ŷ_k)]   dŷ_k = −y_k/ŷ_k + (1 − y_k)/(1 − ŷ_k)
//   cross_entropy: L = −Σ_k y_k log ŷ_k  (−log ŷ_c for a class c)     dŷ_k = −y_k/ŷ_k
//   mse:           L = ½ Σ_k (ŷ_k − y_k)²                             dŷ_k = ŷ_k − y_k
import type { Numeric, Num } from '../../numeric/index.js';
import type { Contribution, LossKind, Step, Value, Vec } from '../../trace/types.js';
import { asScalar, asVec, vec } from '../linalg.js';
import type { OpContext } from './context.js';

export class LossDomainError extends Error {}

function logOf(n: Numeric, x: Num, what: string): Num {
  if (x.v.lte(0)) throw new LossDomainError(`log(${what}) is undefined: ${what} = ${x.v.toString()}`);
  return n.log(x);
}

/**
 * The loss and, per output k, the pieces a worked solution shows: bce [log ŷ_k, log(1 − ŷ_k)],
 * cross_entropy [log ŷ_k], mse [ŷ_k − y_k]; null where the target's weight is exactly zero.
 */
export function lossForward(n: Numeric, kind: LossKind, yhat: Vec, y: Vec): { value: Num; pieces: (Num | null)[][] } {
  switch (kind) {
    case 'bce': {
      const pieces = yhat.map((p, k) => {
        const yk = y[k]!;
        return [n.isZero(yk) ? null : logOf(n, p, 'ŷ'), n.isZero(n.sub(n.one, yk)) ? null : logOf(n, n.sub(n.one, p), '1 − ŷ')];
      });
      const terms = pieces.map(([lp, lq], k) =>
        n.add(lp ? n.mul(y[k]!, lp) : n.zero, lq ? n.mul(n.sub(n.one, y[k]!), lq) : n.zero),
      );
      return { value: n.neg(n.sum(terms)), pieces };
    }
    case 'cross_entropy': {
      const pieces = yhat.map((p, k) => [n.isZero(y[k]!) ? null : logOf(n, p, 'ŷ')]);
      return { value: n.neg(n.sum(pieces.map(([l], k) => (l ? n.mul(y[k]!, l) : n.zero)))), pieces };
    }
    case 'mse': {
      const diffs = yhat.map((p, k) => n.sub(p, y[k]!));
      return { value: n.mul(n.exact('0.5'), n.sum(diffs.map((d) => n.mul(d, d)))), pieces: diffs.map((d) => [d]) };
    }
  }
}

export function lossGradient(n: Numeric, kind: LossKind, yhat: Vec, y: Vec): Vec {
  switch (kind) {
    case 'bce':
      return yhat.map((p, k) => {
        const yk = y[k]!;
        const q = n.sub(n.one, yk);
        const a = n.isZero(yk) ? n.zero : n.neg(n.div(yk, p));
        const b = n.isZero(q) ? n.zero : n.div(q, n.sub(n.one, p));
        return n.add(a, b);
      });
    case 'cross_entropy':
      return yhat.map((p, k) => (n.isZero(y[k]!) ? n.zero : n.neg(n.div(y[k]!, p))));
    case 'mse':
      return yhat.map((p, k) => n.sub(p, y[k]!));
  }
}

export function lossBackward(step: Extract<Step, { op: 'loss' }>, g: Value, _grad: string, cx: OpContext): Contribution[] {
  if (step.yhat.kind !== 'step') return [];
  const n = cx.num;
  const yhat = asVec(cx.value(step.yhat));
  let d = lossGradient(n, step.loss, yhat, step.target);
  const scale = asScalar(g);
  if (!(scale.exact && scale.v.eq(1))) d = d.map((x) => n.mul(scale, x));
  return [
    {
      from: step.id,
      to: { kind: 'step', id: step.yhat.id },
      rule: 'loss',
      loss: step.loss,
      yhat: step.yhat.id,
      target: step.target,
      targetIndex: step.targetIndex,
      value: vec(d),
    },
  ];
}
