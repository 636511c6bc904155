// Every op's local gradient rule, checked by the compiler: an op without a rule does not build.
import type { Contribution, OpKind, Step, Value } from '../../trace/types.js';
import type { OpContext } from './context.js';
import { affineBackward, sumBackward } from './linear.js';
import { activationBackward } from './elementwise.js';
import { lossBackward } from './loss.js';
import { concatBackward, mixBackward } from './mix.js';

type Backward<K extends OpKind> = (step: Extract<Step, { op: K }>, g: Value, grad: string, cx: OpContext) => Contribution[];

const leaf = (): Contribution[] => [];

export const backwardRules: { [K in OpKind]: Backward<K> } = {
  embed: leaf,
  input: leaf,
  affine: affineBackward,
  concat: concatBackward,
  mix: mixBackward,
  tanh: activationBackward,
  sigmoid: activationBackward,
  softmax: activationBackward,
  identity: activationBackward,
  loss: lossBackward,
  sum: sumBackward,
};

export function backwardOf(step: Step, g: Value, grad: string, cx: OpContext): Contribution[] {
  return (backwardRules[step.op] as Backward<OpKind>)(step as never, g, grad, cx);
}

export type { OpContext } from './context.js';
