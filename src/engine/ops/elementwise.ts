// Activations, each with its local derivative beside it.
//   tanh:     y = tanh(x)             dx = dy ⊙ (1 − y²)
//   sigmoid:  y = 1 / (1 + e^(−x))    dx = dy ⊙ y ⊙ (1 − y)
//   softmax:  y = e^x / Σ e^x         dx = y ⊙ (dy − (y · dy))
//   identity: y = x                   dx = dy
import type { Numeric, Num } from '../../numeric/index.js';
import type { Activation, Contribution, Step, Value, Vec } from '../../trace/types.js';
import { asVec, dot, vec } from '../linalg.js';
import type { OpContext } from './context.js';

export function activationForward(n: Numeric, kind: Activation, x: Vec): { y: Vec; softmax?: { exps: Vec; total: Num } } {
  switch (kind) {
    case 'tanh':
      return { y: x.map((v) => n.tanh(v)) };
    case 'sigmoid':
      return { y: x.map((v) => n.sigmoid(v)) };
    case 'identity':
      return { y: x };
    case 'softmax': {
      // decimal exponents do not overflow, so e^x is taken as it is (no max shift), and the
      // solution can show the very numbers a student would write down
      const exps = x.map((v) => n.exp(v));
      const total = n.sum(exps);
      return { y: exps.map((v) => n.div(v, total)), softmax: { exps, total } };
    }
  }
}

/** 1 − y² */
export const tanhSlope = (n: Numeric, y: Num): Num => n.sub(n.one, n.mul(y, y));
/** y (1 − y) */
export const sigmoidSlope = (n: Numeric, y: Num): Num => n.mul(y, n.sub(n.one, y));

export function activationBackward(
  step: Extract<Step, { op: Activation }>,
  g: Value,
  grad: string,
  cx: OpContext,
): Contribution[] {
  const n = cx.num;
  const dy = asVec(g);
  const y = asVec(step.value);
  if (step.arg.kind !== 'step') return [];
  const base = { from: step.id, to: { kind: 'step' as const, id: step.arg.id }, grad };
  switch (step.op) {
    case 'tanh':
      return [{ ...base, rule: 'tanh', y: step.id, value: vec(dy.map((d, i) => n.mul(d, tanhSlope(n, y[i]!)))) }];
    case 'sigmoid':
      return [{ ...base, rule: 'sigmoid', y: step.id, value: vec(dy.map((d, i) => n.mul(d, sigmoidSlope(n, y[i]!)))) }];
    case 'identity':
      return [{ ...base, rule: 'identity', value: vec(dy) }];
    case 'softmax': {
      const yd = dot(n, y, dy);
      return [{ ...base, rule: 'softmax', y: step.id, dot: yd, value: vec(y.map((yi, i) => n.mul(yi, n.sub(dy[i]!, yd)))) }];
    }
  }
}
