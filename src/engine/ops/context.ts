import type { Numeric } from '../../numeric/index.js';
import type { Arg, Mat, ParamArg, Value } from '../../trace/types.js';

/** What a local gradient rule may read: the numbers, and the values of its operands. */
export interface OpContext {
  num: Numeric;
  value(arg: Arg): Value;
  /** the parameter's matrix (its row slice when the argument names one) */
  param(arg: ParamArg): Mat;
}
