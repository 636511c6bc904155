// The recorder: cells call it one line per equation; it computes the value and appends
// the step to the tape, under the quantity id of the current scope.
import type { Numeric, Num } from '../numeric/index.js';
import type { Activation, Arg, LossKind, Mat, MixTerm, ParamArg, Step, Value, Vec } from '../trace/types.js';
import { asMat, asScalar, asVec, mat, scalar, sliceRows, vec } from './linalg.js';
import { affineForward, sumForward } from './ops/linear.js';
import { activationForward } from './ops/elementwise.js';
import { lossForward } from './ops/loss.js';
import { concatForward, mixForward } from './ops/mix.js';
import type { OpContext } from './ops/context.js';

/** Replaces a computed quantity (by id) before it is used further. */
export type Adjust = (id: string, value: Value) => Value;

export class Recorder implements OpContext {
  readonly steps: Step[] = [];
  private readonly byId = new Map<string, Step>();
  /** the timestep being recorded, null for example-level quantities */
  t: number | null = null;
  /**
   * The layer/direction being recorded (DESIGN §5): `''` for layer 0 forward and the head,
   * `_l1`, `_reverse`, `_l1_reverse`. Step names (and so ids) and the cell's parameters take it.
   */
  suffix = '';

  constructor(
    readonly num: Numeric,
    readonly params: ReadonlyMap<string, Value>,
    readonly ex: number,
    /** hidden size H, for cells that slice stacked parameters */
    readonly hidden: number,
    /**
     * Applied to every computed quantity (by id) before it is used further: hand rounding,
     * or the checker substituting a student's answers. Null: values are used as computed.
     */
    readonly adjust: Adjust | null = null,
  ) {}

  id(name: string): string {
    return this.t === null ? `ex${this.ex}.${name}` : `ex${this.ex}.t${this.t}.${name}`;
  }

  step(id: string): Step {
    const s = this.byId.get(id);
    if (!s) throw new Error(`no step ${id}`);
    return s;
  }

  value(arg: Arg): Value {
    switch (arg.kind) {
      case 'step':
        return this.step(arg.id).value;
      case 'const':
        return arg.value;
      case 'param': {
        const v = this.params.get(arg.name);
        if (!v) throw new Error(`no parameter ${arg.name}`);
        if (!arg.rows) return v;
        return v.kind === 'mat' ? mat(sliceRows(v.x, arg.rows)) : vec(sliceRows(asVec(v), arg.rows));
      }
    }
  }

  param(arg: ParamArg): Mat {
    return asMat(this.value(arg));
  }

  /** A parameter (or a block of its rows) as an operand. */
  p(name: string, rows?: [number, number]): ParamArg {
    const full = name + this.suffix;
    return rows ? { kind: 'param', name: full, rows } : { kind: 'param', name: full };
  }

  private push(s: Step): Arg {
    // given inputs are used as given; a concatenation writes down no new number
    if (this.adjust && s.op !== 'embed' && s.op !== 'input' && s.op !== 'concat') s.value = this.adjust(s.id, s.value);
    this.steps.push(s);
    this.byId.set(s.id, s);
    return { kind: 'step', id: s.id };
  }

  private base(short: string, internal = false) {
    const name = short + this.suffix;
    return { id: this.id(name), name, scope: { ex: this.ex, t: this.t }, ...(internal ? { internal: true } : {}) };
  }

  embed(token: string, x: Vec): Arg {
    return this.push({ ...this.base('x'), op: 'embed', token, value: vec(x) });
  }

  input(x: Vec): Arg {
    return this.push({ ...this.base('x'), op: 'input', value: vec(x) });
  }

  /** name = Σ W v + Σ b (+ Σ addends) */
  affine(name: string, terms: [ParamArg, Arg][], biases: ParamArg[], addends: Arg[] = [], internal = false): Arg {
    const r = affineForward(
      this.num,
      terms.map(([W, v]) => ({ W, Wv: this.param(W), v, vv: asVec(this.value(v)) })),
      biases.map((b) => ({ b, bv: asVec(this.value(b)) })),
      addends.map((a) => asVec(this.value(a))),
    );
    return this.push({ ...this.base(name, internal), op: 'affine', terms: r.terms, biases, addends, value: vec(r.value) });
  }

  /** name = [a; b; …] */
  concat(name: string, args: Arg[], internal = true): Arg {
    const value = concatForward(args.map((a) => asVec(this.value(a))));
    return this.push({ ...this.base(name, internal), op: 'concat', args, value: vec(value) });
  }

  /** name = Σ a ⊙ b, each a optionally as (1 − a) */
  mix(name: string, terms: MixTerm[], internal = false): Arg {
    const value = mixForward(this.num, terms.map((t) => ({ a: asVec(this.value(t.a)), complement: t.complement, b: asVec(this.value(t.b)) })));
    return this.push({ ...this.base(name, internal), op: 'mix', terms, value: vec(value) });
  }

  apply(op: Activation, name: string, arg: Arg): Arg {
    const r = activationForward(this.num, op, asVec(this.value(arg)));
    return this.push({ ...this.base(name), op, arg, value: vec(r.y), ...(r.softmax ? { softmax: r.softmax } : {}) });
  }

  loss(kind: LossKind, name: string, yhat: Arg, target: Vec, targetIndex: number | null): Arg {
    const L = lossForward(this.num, kind, asVec(this.value(yhat)), target);
    return this.push({ ...this.base(name), op: 'loss', loss: kind, yhat, target, targetIndex, pieces: L.pieces, value: scalar(L.value) });
  }

  sum(name: string, args: Arg[], scale: Num | null = null): Arg {
    const s = sumForward(this.num, args.map((a) => asScalar(this.value(a))), scale);
    return this.push({ ...this.base(name), op: 'sum', args, scale, value: scalar(s) });
  }
}
