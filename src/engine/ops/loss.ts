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

export function lossForward(n: Numeric, kind: LossKind, yhat: Vec, y: Vec): Num {
  switch (kind) {
    case 'bce':
      return n.neg(
        n.sum(
          yhat.map((p, k) => {
            const yk = y[k]!;
            const pos = n.isZero(yk) ? n.zero : n.mul(yk, logOf(n, p, 'ŷ'));
            const q = n.sub(n.one, yk);
            const neg = n.isZero(q) ? n.zero : n.mul(q, logOf(n, n.sub(n.one, p), '1 − ŷ'));
            return n.add(pos, neg);
          }),
        ),
      );
    case 'cross_entropy':
      return n.neg(n.sum(yhat.map((p, k) => (n.isZero(y[k]!) ? n.zero : n.mul(y[k]!, logOf(n, p, 'ŷ'))))));
    case 'mse': {
      const half = n.exact('0.5');
      return n.mul(half, n.sum(yhat.map((p, k) => { const d = n.sub(p, y[k]!); return n.mul(d, d); })));
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
