// Trace → view: the trace reshaped into the blocks a worked solution shows, in reading
// order. Nothing is computed here: every number is one the engine recorded. Symbols are
// LaTeX (shared by every math-writing format); numbers stay Num for the format's helpers.
import type { Num } from '../numeric/index.js';
import type {
  Arg,
  Contribution,
  ExampleTrace,
  GradStep,
  Mat,
  ParamInfo,
  Step,
  Total,
  Trace,
  Value,
  Vec,
} from '../trace/types.js';
import { entriesOf } from '../trace/types.js';
import { mathText } from './latex.js';
import { delta, makeSymbols, splitLabel, splitName } from './symbols.js';
import { buildFlow, type FlowView } from './flow.js';

export type Detail = 'full' | 'standard' | 'brief';

export interface Row {
  label: string;
  terms: [Num, Num][];
  value: Num;
}

/** One element of a worked solution; `partial` names the template that draws it. */
export type Block =
  | { partial: 'given'; id: string | null; lhs: string; token: string | null; value: Vec; t: number }
  | { partial: 'matvec'; id: string | null; assign: string | null; lhs: string; M: Mat; v: Vec; value: Vec; rows: Row[]; transpose: boolean; note: string | null }
  | { partial: 'vecsum'; id: string | null; lhs: string; rhs: string; parts: Vec[]; value: Vec; notes: string[] }
  | { partial: 'concat'; id: string | null; lhs: string; parts: { sym: string; value: Vec }[]; value: Vec }
  | { partial: 'mix'; id: string | null; lhs: string; terms: { aSym: string; bSym: string; complement: boolean }[]; pairs: { a: Vec; b: Vec; complement: boolean }[]; entries: { lhs: string; terms: { a: Num; b: Num; complement: boolean }[]; value: Num }[]; operands: Vec[]; value: Vec }
  | { partial: 'slice'; id: string | null; lhs: string; gSym: string; from: number; to: number; g: Vec; value: Vec }
  | { partial: 'dmix'; id: string | null; lhs: string; label: string; gSym: string; otherSym: string; complement: boolean; role: 'a' | 'b'; entries: { lhs: string; gLhs: string; otherLhs: string; g: Num; other: Num; value: Num }[]; operands: Vec[]; value: Vec }
  | { partial: 'stack'; id: string; lhs: string; blocks: string[]; value: Value }
  | { partial: 'note'; message: string }
  | { partial: 'activation'; fn: 'tanh' | 'sigmoid' | 'identity'; id: string | null; lhs: string; selfNamed: boolean; argSym: string; arg: Vec; value: Vec; entries: { lhs: string; arg: Num; value: Num }[] }
  | { partial: 'softmax'; id: string | null; lhs: string; argSym: string; arg: Vec; exps: Vec; total: Num; value: Vec; entries: { lhs: string; exp: Num; value: Num }[] }
  | { partial: 'loss'; loss: string; id: string; lhs: string; yhatSym: string; classSym: string | null; yhat: Vec; y: Vec; targetIndex: number | null; value: Num; single: boolean; entries: { yhat: Num; y: Num; logP: Num | null; logQ: Num | null }[]; pieceValues: Num[] }
  | { partial: 'dloss'; loss: string; id: string | null; lhs: string; yhatSym: string; value: Vec; entries: { lhs: string; yhat: Num; y: Num; value: Num }[] }
  | { partial: 'dactivation'; fn: 'tanh' | 'sigmoid' | 'identity'; id: string | null; lhs: string; label: string; gSym: string; ySym: string; g: Vec; y: Vec; value: Vec; entries: { lhs: string; gLhs: string; yLhs: string; g: Num; y: Num; value: Num; target: Num | null }[]; simplifies: string | null }
  | { partial: 'dsoftmax'; id: string | null; lhs: string; gSym: string; ySym: string; g: Vec; y: Vec; dot: Num; value: Vec; entries: { lhs: string; gLhs: string; yLhs: string; g: Num; y: Num; value: Num; target: Num | null }[]; simplifies: string | null; dotTerms: [Num, Num][] }
  | { partial: 'outer'; id: string | null; lhs: string; gSym: string; vSym: string; g: Vec; v: Vec; value: Mat; cells: { row: [Num, Num][] }[] }
  | { partial: 'copy'; id: string | null; lhs: string; gSym: string; value: Vec }
  | { partial: 'zeros'; items: { lhs: string; id: string }[]; reason: string }
  | { partial: 'total'; id: string; lhs: string; terms: { label: string; value: Value }[]; values: Value[]; scaleN: number | null; value: Value; lines: { label: string; value: Value }[][]; note: string | null }
  | { partial: 'update'; id: string; lhs: string; sym: string; before: Value; lr: Num; grad: Value; gradSym: string; value: Value };

export interface TimestepView {
  t: number;
  token: string | null;
  blocks: Block[];
  /** stacked/bidirectional networks: a section heading (a layer's direction) starting here */
  section?: string | null;
  /** stacked/bidirectional networks: the heading of this group, instead of the timestep's */
  heading?: string | null;
  /** backward: where the walk of a direction ends (at its initial state), what to say */
  ends?: string | null;
}

export interface ExampleView {
  index: number;
  tokens: string[] | null;
  text: string | null;
  length: number;
  targets: { t: number; target: Vec; targetIndex: number | null }[];
  lossId: string;
  loss: Num;
  /** the timestep losses summed into the example loss */
  lossTerms: { sym: string; value: Num }[];
  lossValues: Num[];
  forward: TimestepView[];
  backward: TimestepView[];
  totals: Block[];
  embTotals: Block[];
  /** rows of the per-timestep tables (brief detail and the summary), in the order of `columns` */
  table: { t: number; token: string | null; forward: (Vec | null)[]; backward: (Vec | null)[] }[];
}

export interface ParamView {
  name: string;
  sym: string;
  shape: string;
  value: Value;
  role: ParamInfo['role'];
}

/** Gradient clipping (`clip_norm`): the global norm term by term, the factor, the clipped gradients. */
export interface ClipView {
  m: Num;
  /** the decimals m is shown with: all of its own (m = 0.00005, not 0.0001) */
  mPlaces: number;
  /** `grad.norm` */
  id: string;
  /** per parameter: ‖∇_θ L‖² as the sum of its squared entries (`lines`: one per matrix row) when `showSquares` */
  params: { sym: string; gradSym: string; entries: Vec; lines: Vec[]; showSquares: boolean; index: string; sum: Num }[];
  /** the per-parameter sums, in lines of a few terms, each labelled with its parameter */
  sumLines: { label: string; value: Num }[][];
  sums: Vec;
  total: Num;
  norm: Num;
  /**
   * the decimals ‖g‖ is shown with where it is compared with m: the solution's, or as many
   * more as the comparison takes to be seen true (0.84515 > m = 0.8451, not 0.8451 > 0.8451;
   * 0.84515 > m = 0.845149, not 0.8451 > 0.845149)
   */
  places: number;
  clipped: boolean;
  /** m/‖g‖ when clipped */
  factor: Num | null;
  grads: { id: string; lhs: string; gradSym: string; grad: Value; value: Value }[];
  /** the batch has embedding gradients: outside the norm, not rescaled */
  embeddings: boolean;
}

export interface SolutionView {
  title: string | null;
  source: string;
  decimals: number;
  precision: number;
  /** hand arithmetic: the decimals every computed quantity was rounded to; null = exact */
  hand: number | null;
  handMode: boolean;
  detail: Detail;
  full: boolean;
  brief: boolean;
  H: number;
  D: number;
  O: number;
  T: number;
  cell: Trace['cell'];
  convention: Trace['convention'];
  head: Trace['head'];
  headSingle: boolean;
  vocabulary: { token: string; value: Vec }[];
  params: ParamView[];
  /** k gate blocks of H(D + H + b) each (b biases per gate), plus the head's O(H + 1) */
  paramCount: { k: number | null; b: number; H: number; D: number; O: number; total: number; embeddings: number | null };
  initial: { sym: string; value: Vec; given: boolean }[];
  training: Trace['training'] & { examples: number };
  examples: ExampleView[];
  columns: { forward: { name: string; sym: string }[]; backward: { name: string; sym: string }[] };
  /** h_0 (and c_0): where the backward walk ends */
  initialSyms: string;
  initialPlural: boolean;
  batch: { loss: Block; grads: Block[]; embGrads: Block[]; clip: ClipView | null; updates: Block[]; lr: Num | null };
  /** truncated BPTT: the chunks, and each batch gradient beside what full BPTT gives */
  truncation: { k: number; chunks: string; rows: { id: string; sym: string; truncated: Value; full: Value; missing: Value; same: boolean }[] } | null;
  quantityCount: number;
  /** stacked layers or a reverse direction (DESIGN §5) */
  stacked: boolean;
  bidirectional: boolean;
  layers: number;
  /** stacked/bidirectional: how the layers and directions connect, for the setup; else null */
  stackedText: string | null;
  /** what the head reads, when it is not h_t */
  headInput: string | null;
  /** stacked/bidirectional: the parameter count, layer by layer (LaTeX); else null */
  paramFormula: string | null;
  /** the gradient-flow section: ‖δh_t‖ (and ‖δc_t‖) per timestep, a table and a chart */
  flow: FlowView;
}

const isExactZero = (v: Value): boolean => entriesOf(v).every((x) => x.exact && x.v.isZero());
const vecOf = (v: Value): Vec => (v.kind === 'vec' ? v.x : v.kind === 'scalar' ? [v.x] : []);
const transpose = (m: Mat): Mat => (m[0] ?? []).map((_, j) => m.map((r) => r[j]!));


/**
 * The fewest decimals, `decimals` or more, at which `x` rounded still compares with m as x
 * does: above it (x > m), or not (x ≤ m).
 */
function placesFor(x: Num, m: Num, above: boolean, decimals: number): number {
  const holds = (r: typeof x.v) => (above ? r.gt(m.v) : r.lte(m.v));
  let places = decimals;
  // x itself holds, so a rounding of it close enough does (the bound only guards the loop)
  while (!holds(x.v.toDecimalPlaces(places, 4)) && places < decimals + 1000) places++;
  return places;
}

export function buildView(trace: Trace, opts: { decimals: number; detail: Detail }): SolutionView {
  const S = makeSymbols(trace);
  /** `δW_{xh}^{[t=3]}`: the part of ∂L/∂W_xh contributed at timestep 3 (of one gate block, with rows) */
  const contribSym = (name: string, t: number, rows?: [number, number]) => `\\delta ${S.param(name, rows)}^{[t=${t}]}`;
  const paramValue = new Map(trace.params.map((p) => [p.name, p.value]));
  const q = trace.quantities;
  // internal steps (v_t, q_t, …) and their gradients are shown too, but have no quantity id
  const internal = new Map<string, Value>();
  for (const e of trace.examples) {
    for (const st of e.forward) if (st.internal) internal.set(st.id, st.value);
    for (const g of e.backward) if (g.internal) internal.set(g.id, g.value);
  }
  const val = (id: string): Value => {
    const v = q.get(id) ?? internal.get(id);
    if (!v) throw new Error(`no quantity ${id}`);
    return v;
  };
  const argValue = (a: Arg): Value => {
    if (a.kind === 'step') return val(a.id);
    if (a.kind === 'const') return a.value;
    const p = paramValue.get(a.name)!;
    if (!a.rows) return p;
    // a gate's block of a stacked torch parameter
    return p.kind === 'mat' ? { kind: 'mat', x: p.x.slice(...a.rows) } : { kind: 'vec', x: vecOf(p).slice(...a.rows) };
  };
  const O = trace.outputDim;
  const headSingle = O === 1;
  /** entry symbols: ŷ_{6} rather than ŷ_{6,1} when the head has one output */
  const entrySym = (id: string, i: number, single: boolean) => S.id(id, single ? undefined : i + 1);
  const isHeadId = (id: string) => /\.(s|yhat)$/.test(id);
  const entries = (id: string) => (i: number) => entrySym(id, i, isHeadId(id) && headSingle);
  /** entry j (0-based) of an operand, e.g. f_{3,2} or c_{0,1} */
  const entryOf = (a: Arg, j: number): string =>
    a.kind === 'step' ? entries(a.id)(j) : a.kind === 'const' ? S.constEntry(a, j) : `${S.arg(a)}_{${j + 1}}`;

  /** ŷ id → its target, for the ŷ − y shortcut */
  const targetOf = new Map<string, Vec>();
  for (const e of trace.examples) for (const st of e.forward) if (st.op === 'loss' && st.yhat.kind === 'step') targetOf.set(st.yhat.id, st.target);

  const matvecRows = (label: string, M: Mat, v: Vec, value: Vec): Row[] =>
    M.map((row, i) => ({
      label: M.length === 1 ? label : `(${label})_{${i + 1}}`,
      terms: row.map((w, j): [Num, Num] => [w, v[j]!]),
      value: value[i]!,
    }));

  const forwardBlocks = (s: Step): Block[] => {
    const lhs = S.id(s.id);
    const fid = s.internal ? null : s.id;
    switch (s.op) {
      case 'embed':
      case 'input':
        return [{ partial: 'given', id: fid, lhs, token: s.op === 'embed' ? s.token : null, value: vecOf(s.value), t: s.scope.t! }];
      case 'affine': {
        const blocks: Block[] = s.terms.map((term) => {
          const label = `${S.arg(term.W)} ${S.arg(term.v)}`;
          const M = (argValue(term.W) as { x: Mat }).x;
          const v = vecOf(argValue(term.v));
          const zero = term.v.kind === 'const' && v.every((x) => x.v.isZero());
          return {
            partial: 'matvec',
            id: null,
            assign: null,
            lhs: label,
            M,
            v,
            value: term.product,
            rows: matvecRows(label, M, v, term.product),
            transpose: false,
            note: zero ? `$${S.arg(term.v)}$ is the zero vector, so this product is zero.` : null,
          };
        });
        const rhs = [...s.terms.map((t) => `${S.arg(t.W)} ${S.arg(t.v)}`), ...s.biases.map(S.arg), ...s.addends.map(S.arg)].join(' + ');
        blocks.push({
          partial: 'vecsum',
          id: fid,
          lhs,
          rhs,
          parts: [...s.terms.map((t) => t.product), ...s.biases.map((b) => vecOf(argValue(b))), ...s.addends.map((a) => vecOf(argValue(a)))],
          value: vecOf(s.value),
          notes: [],
        });
        return blocks;
      }
      case 'tanh':
      case 'sigmoid':
      case 'identity': {
        const arg = vecOf(argValue(s.arg));
        const y = vecOf(s.value);
        const e = entries(s.id);
        return [{ partial: 'activation', fn: s.op, id: fid, lhs, selfNamed: lhs === `\\${s.op}(${S.arg(s.arg)})`, argSym: S.arg(s.arg), arg, value: y, entries: y.map((v, i) => ({ lhs: e(i), arg: arg[i]!, value: v })) }];
      }
      case 'softmax': {
        const arg = vecOf(argValue(s.arg));
        const y = vecOf(s.value);
        const e = entries(s.id);
        return [{ partial: 'softmax', id: fid, lhs, argSym: S.arg(s.arg), arg, exps: s.softmax!.exps, total: s.softmax!.total, value: y, entries: y.map((v, i) => ({ lhs: e(i), exp: s.softmax!.exps[i]!, value: v })) }];
      }
      case 'loss': {
        const yhat = vecOf(argValue(s.yhat));
        return [{
          partial: 'loss',
          loss: s.loss,
          id: s.id,
          lhs,
          yhatSym: S.arg(s.yhat),
          classSym: s.targetIndex !== null && s.yhat.kind === 'step' ? entrySym(s.yhat.id, s.targetIndex, false) : null,
          yhat,
          y: s.target,
          targetIndex: s.targetIndex,
          value: (s.value as { x: Num }).x,
          single: headSingle,
          entries: yhat.map((p, k) => ({ yhat: p, y: s.target[k]!, logP: s.pieces[k]![0] ?? null, logQ: s.pieces[k]![1] ?? null })),
          pieceValues: s.pieces.flat().filter((x): x is Num => x !== null),
        }];
      }
      case 'concat':
        return [{ partial: 'concat', id: fid, lhs, parts: s.args.map((a) => ({ sym: S.arg(a), value: vecOf(argValue(a)) })), value: vecOf(s.value) }];
      case 'mix': {
        const ops = s.terms.map((m) => ({ a: vecOf(argValue(m.a)), b: vecOf(argValue(m.b)), complement: m.complement }));
        const e = entries(s.id);
        return [{
          partial: 'mix',
          id: fid,
          lhs,
          terms: s.terms.map((m) => ({ aSym: S.arg(m.a), bSym: S.arg(m.b), complement: m.complement })),
          pairs: ops,
          entries: vecOf(s.value).map((v, j) => ({ lhs: e(j), terms: ops.map((o) => ({ a: o.a[j]!, b: o.b[j]!, complement: o.complement })), value: v })),
          operands: ops.flatMap((o) => [o.a, o.b]),
          value: vecOf(s.value),
        }];
      }
      case 'sum':
        return [];
    }
  };

  /** How one contribution is drawn, when it is the whole of a gradient (`assign`) or a part. */
  const contributionBlocks = (c: Contribution, assign: string | null, id: string | null): Block[] => {
    switch (c.rule) {
      case 'matvecT': {
        const W = (argValue(c.W) as { x: Mat }).x;
        const M = transpose(W);
        const g = vecOf(val(c.grad));
        const label = `${S.arg(c.W)}^\\top ${S.grad(c.grad)}`;
        return [{ partial: 'matvec', id, assign, lhs: label, M, v: g, value: vecOf(c.value), rows: matvecRows(label, M, g, vecOf(c.value)), transpose: true, note: null }];
      }
      case 'outer': {
        const g = vecOf(val(c.grad));
        const v = vecOf(argValue(c.v));
        const value = (c.value as { x: Mat }).x;
        return [{
          partial: 'outer',
          id,
          lhs: assign ?? '',
          gSym: S.grad(c.grad),
          vSym: S.arg(c.v),
          g,
          v,
          value,
          cells: g.map((gi) => ({ row: v.map((vj): [Num, Num] => [gi, vj]) })),
        }];
      }
      case 'copy':
        return [{ partial: 'copy', id, lhs: assign ?? '', gSym: S.grad(c.grad), value: vecOf(c.value) }];
      case 'tanh':
      case 'sigmoid':
      case 'identity':
      case 'softmax': {
        // δ(input) from δ(output) through an elementwise function (softmax: its Jacobian)
        const g = vecOf(val(c.grad));
        const y = c.rule === 'identity' ? g : vecOf(val(c.y));
        const e = entries(c.to.kind === 'step' ? c.to.id : '');
        const ge = entries(c.from);
        const common = {
          id,
          lhs: assign ?? '',
          gSym: delta(S.id(c.from)),
          ySym: S.id(c.from),
          g,
          y,
          value: vecOf(c.value),
          entries: vecOf(c.value).map((v, i) => ({ lhs: delta(e(i)), g: g[i]!, y: y[i]!, value: v, gLhs: delta(ge(i)), yLhs: ge(i), target: targetOf.get(c.from)?.[i] ?? null })),
        };
        if (c.rule === 'softmax') {
          // (a softmax gradient is always the whole of δs)
          return [{ partial: 'dsoftmax', ...common, dot: c.dot, dotTerms: y.map((yi, i): [Num, Num] => [yi, g[i]!]), simplifies: trace.head.loss === 'cross_entropy' ? 'cross_entropy' : null }];
        }
        return [{ partial: 'dactivation', fn: c.rule, ...common, label: partLabel(c), simplifies: c.rule === 'sigmoid' && trace.head.loss === 'bce' && isHeadId(c.from) ? 'bce' : null }];
      }
      case 'loss': {
        const yhat = vecOf(val(c.yhat));
        const e = entries(c.yhat);
        return [{
          partial: 'dloss',
          loss: c.loss,
          id,
          lhs: assign ?? '',
          yhatSym: S.id(c.yhat),
          value: vecOf(c.value),
          entries: vecOf(c.value).map((v, k) => ({ lhs: delta(e(k)), yhat: yhat[k]!, y: c.target[k]!, value: v })),
        }];
      }
      case 'slice': {
        const g = vecOf(val(c.grad));
        return [{ partial: 'slice', id, lhs: assign ?? '', gSym: S.grad(c.grad), from: c.range[0] + 1, to: c.range[1], g, value: vecOf(c.value) }];
      }
      case 'mix': {
        const g = vecOf(val(c.grad));
        const other = vecOf(argValue(c.other));
        const target = c.to.kind === 'step' ? c.to.id : '';
        const e = entries(target);
        return [{
          partial: 'dmix',
          id,
          lhs: assign ?? '',
          label: partLabel(c),
          gSym: S.grad(c.grad),
          otherSym: S.arg(c.other),
          complement: c.complement,
          role: c.role,
          entries: vecOf(c.value).map((v, j) => ({ lhs: delta(e(j)), g: g[j]!, other: other[j]!, value: v, gLhs: S.grad(c.grad, j + 1), otherLhs: entryOf(c.other, j) })),
          operands: [g, other],
          value: vecOf(c.value),
        }];
      }
      case 'sum':
        return [];
    }
  };

  /** The parameter contributions gradient G produces at timestep t, shown right after it. */
  const contributionsFrom = (G: GradStep, params: GradStep[], t: number): Block[] =>
    params.flatMap((P) =>
      P.parts
        .filter((c) => 'grad' in c && c.grad === G.id)
        .flatMap((c) => {
          const rows = c.to.kind === 'param' ? c.to.rows : undefined;
          const whole = P.parts.length === 1;
          return contributionBlocks(c, whole || rows ? contribSym(P.of, t, rows) : `${contribSym(P.of, t)}\\ \\text{(part)}`, whole ? P.id : null);
        }),
    );

  /** Truncated BPTT: where a chunk after the first starts, the state (of the unit with this suffix) comes in detached. */
  const chunkStart = (suffix: string, t: number): Block[] => {
    const k = trace.training.truncate;
    if (k === null || t === 1 || (t - 1) % k !== 0) return [];
    const many = trace.state.length > 1;
    const states = trace.state.map((st) => `$${S.quantity(`${st}${suffix}`, t - 1)}$`).join(' and ');
    return [{ partial: 'note', message: `Truncated BPTT: a new chunk starts here. ${states} ${many ? 'are' : 'is'} carried forward with ${many ? 'their' : 'its'} value but detached: for the backward pass ${many ? 'they are constants' : 'it is a constant'}, so the gradient stops at this chunk boundary.` }];
  };

  /** Where a backward walk reaches the initial states `states` (LaTeX, joined): the walk ends. */
  const walkEnds = (states: string, walk: string): string =>
    `${states} ${trace.state.length > 1 ? 'are fixed initial states, not parameters' : 'is a fixed initial state, not a parameter'}, so the walk${walk} ends here.`;

  const backwardOfExample = (e: ExampleTrace): TimestepView[] => {
    const views: TimestepView[] = [];
    for (let t = e.length; t >= 1; t--) {
      const nodes = e.backward.filter((b) => b.kind === 'node' && b.scope.t === t);
      const params = e.backward.filter((b) => b.kind === 'param' && b.scope.t === t);
      const blocks: Block[] = [];
      for (const G of nodes) blocks.push(...nodeGradBlocks(G, t, e), ...contributionsFrom(G, params, t));
      for (const P of params.filter((p) => p.parts.length > 1)) blocks.push(assembleParam(P, t));
      const unused = params.filter((p) => p.parts.length === 0);
      if (unused.length) {
        blocks.push({
          partial: 'zeros',
          items: unused.map((p) => ({ lhs: contribSym(p.of, t), id: p.id })),
          reason: e.targets.some((y) => y.t === t) ? 'these parameters are not used at this timestep' : `there is no output at $t = ${t}$`,
        });
      }
      const ends = t === 1 ? walkEnds(trace.state.map((st) => `$${st}_0$`).join(' and '), '') : null;
      views.push({ t, token: e.tokens?.[t - 1] ?? null, blocks, section: null, heading: null, ends });
    }
    return views;
  };

  /** A parameter used several times in one timestep: its gate blocks stacked, or its parts summed. */
  const assembleParam = (P: GradStep, t: number): Block => {
    const rows = P.parts.map((c) => (c.to.kind === 'param' ? c.to.rows : undefined));
    const tiles = rows.every((r) => r) && new Set(rows.map((r) => r![0])).size === rows.length;
    if (tiles) {
      const order = P.parts.map((c, k) => ({ c, r: rows[k]! })).sort((a, b) => a.r[0] - b.r[0]);
      return { partial: 'stack', id: P.id, lhs: contribSym(P.of, t), blocks: order.map(({ r }) => contribSym(P.of, t, r)), value: P.value };
    }
    return {
      partial: 'total',
      id: P.id,
      lhs: contribSym(P.of, t),
      terms: P.parts.map((c) => ({ label: '', value: c.value })),
      values: P.parts.map((c) => c.value),
      scaleN: null,
      value: P.value,
      lines: [P.parts.map((c) => ({ label: '', value: c.value }))],
      note: null,
    };
  };

  /** How a part of a gradient is written in a sum: W^T δz, δc ⊙ f, (δv)_{1..H}, … */
  const partLabel = (c: Contribution): string => {
    switch (c.rule) {
      case 'matvecT':
        return `${S.arg(c.W)}^\\top ${S.grad(c.grad)}`;
      case 'outer':
        return `${S.grad(c.grad)}\\, ${S.arg(c.v)}^\\top`;
      case 'slice':
        return `(${S.grad(c.grad)})_{${c.range[0] + 1}..${c.range[1]}}`;
      case 'mix':
        return c.role === 'a'
          ? `${c.complement ? '-' : ''}${S.grad(c.grad)} \\odot ${S.arg(c.other)}`
          : `${S.grad(c.grad)} \\odot ${c.complement ? `(1 - ${S.arg(c.other)})` : S.arg(c.other)}`;
      case 'tanh':
        return `${S.grad(c.grad)} \\odot (1 - ${S.id(c.y)}^2)`;
      case 'sigmoid':
        return `${S.grad(c.grad)} \\odot ${S.id(c.y)} \\odot (1 - ${S.id(c.y)})`;
      case 'copy':
      case 'identity':
      case 'softmax':
      case 'sum':
        return S.grad(c.grad);
      case 'loss':
        return `\\partial L / \\partial ${S.id(c.yhat)}`;
    }
  };

  const isState = (id: string) => trace.state.some((st) => id.endsWith(`.${st}`)) || (stacked && trace.state.includes(splitName(nameOf(id)).base));

  const nodeGradBlocks = (G: GradStep, t: number, e: ExampleTrace): Block[] => {
    const sym = delta(S.id(G.of));
    const id = G.internal ? null : G.id;
    // (a stacked or bidirectional network says its own notes)
    if (stacked) return stackedGradBlocks(G, t, e, sym, id);
    const notes: string[] = [];
    if (isState(G.of)) {
      if (/\.h$/.test(G.of) && !e.targets.some((y) => y.t === t)) notes.push(`There is no output at $t = ${t}$, so nothing reaches $${S.id(G.of)}$ from the head.`);
      if (t === e.length) notes.push(`$t = ${t}$ is the last timestep: nothing flows back into $${S.id(G.of)}$ from the future.`);
      const k = trace.training.truncate;
      if (k !== null && t % k === 0 && t < e.length) {
        notes.push(`Truncated BPTT: the state is detached after $t = ${t}$, the end of a chunk, so nothing flows back into $${S.id(G.of)}$ from timestep ${t + 1}; full BPTT would add the part through $${S.id(G.of)}$'s use at $t = ${t + 1}$ here.`);
      }
    }
    const note: Block[] = notes.length ? [{ partial: 'note', message: notes.join(' ') }] : [];
    if (G.parts.length === 1) return [...contributionBlocks(G.parts[0]!, sym, id), ...note];
    // the parts through this timestep's own consumers first, then those from the future
    const parts = [...G.parts].sort((a, b) => scopeT(a.from) - scopeT(b.from));
    const blocks: Block[] = [];
    for (const c of parts) blocks.push(...contributionBlocks(c, null, null));
    blocks.push({ partial: 'vecsum', id, lhs: sym, rhs: parts.map(partLabel).join(' + '), parts: parts.map((c) => vecOf(c.value)), value: vecOf(G.value), notes });
    return blocks;
  };

  const scopeT = (id: string) => Number(/\.t(\d+)\./.exec(id)?.[1] ?? 0);

  // ---- stacked and bidirectional networks (DESIGN §5) ----
  const stacked = trace.layers > 1 || trace.bidirectional;
  /** `ex1.t3.h_l1_reverse` → `h_l1_reverse` */
  const nameOf = (id: string) => id.slice(id.lastIndexOf('.') + 1);
  /** the part of the network a step belongs to: `inputs`, `head`, `x_l1` (layer 2's input), or a unit's suffix */
  const unitOf = (name: string): string => {
    const u = splitName(name);
    if (u.base === 'x') return u.layer === 0 ? 'inputs' : `x${u.suffix}`;
    if (['hcat', 's', 'yhat', 'loss'].includes(u.base)) return 'head';
    return `cell${u.suffix}`;
  };
  const unitTitle = (unit: string, long: boolean): string => {
    if (unit === 'inputs') return 'the inputs';
    if (unit === 'head') return 'the output head';
    const u = splitName(unit);
    if (u.base === 'x') return `the input of layer ${u.layer + 1}: ${trace.bidirectional ? `both directions of layer ${u.layer}, concatenated` : `the output of layer ${u.layer}`}`;
    const layer = trace.layers > 1 ? `layer ${u.layer + 1}` : '';
    const dir = trace.bidirectional ? (u.reverse ? `reverse direction${long ? ' (read from t = T down to 1)' : ''}` : `forward direction${long ? ' (read from t = 1 to T)' : ''}`) : '';
    return [layer, dir].filter(Boolean).join(', ');
  };
  /** a unit's initial state(s): h_0^{(2)}, \overleftarrow{c}_0 */
  const initialOf = (unit: string) => trace.state.map((st) => `$${S.quantity(`${st}${unit.slice('cell'.length)}`, 0)}$`).join(' and ');
  const isLastRead = (unit: string, t: number, T: number) => (splitName(unit).reverse ? t === 1 : t === T);

  /** Steps (or gradients) in tape order, grouped by unit and timestep, each group a TimestepView. */
  const groupViews = <X>(e: ExampleTrace, items: X[], nameOfItem: (x: X) => string, tOf: (x: X) => number | null, backward: boolean, render: (xs: X[], unit: string, t: number) => Block[]): TimestepView[] => {
    const views: TimestepView[] = [];
    let current: { unit: string; t: number; xs: X[] } | null = null;
    let lastUnit: string | null = null;
    const close = () => {
      if (!current) return;
      const { unit, t, xs } = current;
      const whole = unit === 'inputs' || unit.startsWith('x');
      const section = unit !== lastUnit ? unitTitle(unit, true) : null;
      lastUnit = unit;
      const where = backward ? 'backward' : 'forward';
      const heading = whole ? `Example ${e.index}, ${where}: ${unitTitle(unit, false).replace(/:.*/, '')}` : `Example ${e.index}, ${where}: ${unitTitle(unit, false)}, t = ${t}`;
      const ends = backward && unit.startsWith('cell') && (splitName(unit).reverse ? t === e.length : t === 1) ? walkEnds(initialOf(unit), ' of this direction') : null;
      views.push({ t, token: whole ? null : (e.tokens?.[t - 1] ?? null), blocks: render(xs, unit, t), section, heading, ends });
      current = null;
    };
    for (const x of items) {
      const t = tOf(x);
      if (t === null) continue;
      const unit = unitOf(nameOfItem(x));
      const whole = unit === 'inputs' || unit.startsWith('x');
      if (!current || current.unit !== unit || (!whole && current.t !== t)) {
        close();
        current = { unit, t, xs: [] };
      }
      current.xs.push(x);
    }
    close();
    return views;
  };

  const stackedForward = (e: ExampleTrace): TimestepView[] =>
    groupViews(e, e.forward, (st) => st.name, (st) => st.scope.t, false, (steps, unit, t) => {
      const u = splitName(unit);
      return [...(unit.startsWith('cell') && !u.reverse ? chunkStart(u.suffix, t) : []), ...steps.flatMap(forwardBlocks)];
    });

  const stackedBackward = (e: ExampleTrace): TimestepView[] => {
    const nodes = e.backward.filter((b) => b.kind === 'node');
    const params = e.backward.filter((b) => b.kind === 'param');
    const unused = params.filter((p) => p.parts.length === 0);
    const views = groupViews(e, nodes, (G) => nameOf(G.of), (G) => G.scope.t, true, (Gs, _unit, t) => {
      const blocks: Block[] = [];
      const mine = new Set(Gs.map((G) => G.id));
      const atT = params.filter((P) => P.scope.t === t);
      for (const G of Gs) blocks.push(...nodeGradBlocks(G, t, e), ...contributionsFrom(G, atT, t));
      for (const P of atT.filter((p) => p.parts.length > 1 && p.parts.every((c) => 'grad' in c && mine.has(c.grad)))) blocks.push(assembleParam(P, t));
      return blocks;
    });
    if (unused.length) {
      // the head's parameters at timesteps without an output
      const head = views.filter((v) => v.heading?.includes('the output head')).at(-1) ?? views[0]!;
      head.blocks.push({ partial: 'zeros', items: unused.map((p) => ({ lhs: contribSym(p.of, p.scope.t!), id: p.id })), reason: 'there is no output at those timesteps' });
    }
    return views;
  };

  /** Where a part of a state's gradient comes from, in words. */
  const partSource = (c: Contribution, G: GradStep, t: number): string => {
    const from = nameOf(c.from);
    const fromT = scopeT(c.from);
    const here = unitOf(nameOf(G.of));
    const there = unitOf(from);
    if (there === 'head') return 'from the output head';
    if (there !== here) return `from layer ${splitName(from).layer + 1}, which reads it as its input`;
    if (fromT !== t) return `from the next step of this direction ($t = ${fromT}$)`;
    return 'from this step';
  };
  const partRank = (c: Contribution, G: GradStep, t: number): number => {
    const there = unitOf(nameOf(c.from));
    return there === unitOf(nameOf(G.of)) ? (scopeT(c.from) === t ? 0 : 2) : 1;
  };

  const stackedGradBlocks = (G: GradStep, t: number, e: ExampleTrace, sym: string, id: string | null): Block[] => {
    const notes: string[] = [];
    const unit = unitOf(nameOf(G.of));
    if (isState(G.of) && unit.startsWith('cell')) {
      if (isLastRead(unit, t, e.length)) notes.push(`$t = ${t}$ is the last step this direction reads: nothing flows back into $${S.id(G.of)}$ from a later step.`);
      const k = trace.training.truncate;
      if (k !== null && !splitName(unit).reverse && t % k === 0 && t < e.length) {
        notes.push(`Truncated BPTT: the state is detached after $t = ${t}$, the end of a chunk, so nothing flows back into $${S.id(G.of)}$ from timestep ${t + 1}.`);
      }
    }
    if (G.parts.length === 1) {
      const note: Block[] = notes.length ? [{ partial: 'note', message: notes.join(' ') }] : [];
      return [...contributionBlocks(G.parts[0]!, sym, id), ...note];
    }
    const parts = [...G.parts].sort((a, b) => partRank(a, G, t) - partRank(b, G, t));
    if (isState(G.of)) {
      const said = parts.map((c) => `$${partLabel(c)}$ ${partSource(c, G, t)}`);
      notes.push(`$${sym}$ has ${parts.length} parts: ${said.slice(0, -1).join(', ')} and ${said.at(-1)}.`);
    }
    const blocks: Block[] = [];
    for (const c of parts) blocks.push(...contributionBlocks(c, null, null));
    blocks.push({ partial: 'vecsum', id, lhs: sym, rhs: parts.map(partLabel).join(' + '), parts: parts.map((c) => vecOf(c.value)), value: vecOf(G.value), notes });
    return blocks;
  };

  /** A sum of named quantities; terms that are exactly zero are left out of the display and said so. */
  const totalBlock = (tot: Total, lhs: string, label: (id: string) => string, perLine: number, zeroWhy: string): Block => {
    const all = tot.of.map((id) => ({ label: label(id), value: val(id) }));
    const terms = all.filter((x) => !isExactZero(x.value));
    const dropped = all.filter((x) => isExactZero(x.value)).map((x) => x.label);
    const lines: { label: string; value: Value }[][] = [];
    for (let i = 0; i < terms.length; i += perLine) lines.push(terms.slice(i, i + perLine));
    const note = dropped.length ? `The ${dropped.length === 1 ? 'term' : 'terms'} for $${dropped.join('$, $')}$ ${dropped.length === 1 ? 'is' : 'are'} exactly zero (${zeroWhy}) and left out.` : null;
    return { partial: 'total', id: tot.id, lhs, terms, values: terms.map((x) => x.value), scaleN: tot.scale ? trace.examples.length : null, value: tot.value, lines, note };
  };
  const perLine = (v: Value) => (v.kind === 'mat' ? 2 : v.kind === 'vec' ? 4 : 8);

  // table columns: the cell's named quantities except pre-activations, then the head's
  const named = [...new Set(trace.examples[0]!.forward.filter((st) => !st.internal && st.scope.t !== null).map((st) => st.name))];
  // (stacked/bidirectional: the input and every unit's state, to keep the tables readable)
  const unitStates = named.filter((x) => trace.state.includes(splitName(x).base));
  const cellNames = stacked ? named.filter((x) => x === 'x' || unitStates.includes(x)) : named.filter((x) => !/_pre$|^tanh_c$|^hn$/.test(x) && !['s', 'yhat', 'loss'].includes(x));
  const headNames = ['s', 'yhat', 'loss'];
  const stateNames = stacked ? unitStates.map((x) => `d${x}`) : trace.state.map((st) => `d${st}`);
  const columns = {
    forward: [...cellNames, ...headNames].map((name) => ({ name, sym: S.quantity(name, 't') })),
    backward: [...stateNames, 'dx'].map((name) => ({ name, sym: delta(S.quantity(name.slice(1), 't')) })),
  };

  const examples: ExampleView[] = trace.examples.map((e) => {
    const forward: TimestepView[] = stacked ? stackedForward(e) : [];
    for (let t = 1; t <= (stacked ? 0 : e.length); t++) {
      forward.push({ t, token: e.tokens?.[t - 1] ?? null, blocks: [...chunkStart('', t), ...e.forward.filter((s) => s.scope.t === t).flatMap(forwardBlocks)], section: null, heading: null, ends: null });
    }
    const L = `L^{(${e.index})}`;
    const totals = e.paramTotals.map((tot) => {
      const name = tot.id.slice(`ex${e.index}.d`.length);
      return totalBlock(tot, `\\frac{\\partial ${L}}{\\partial ${S.param(name)}}`, (id) => `t=${scopeT(id)}`, perLine(tot.value), 'the parameter is not used there');
    });
    const embTotals = e.embTotals.map((tot) => {
      const tok = tot.id.slice(`ex${e.index}.demb.`.length);
      return totalBlock(tot, `\\frac{\\partial ${L}}{\\partial e(${mathText(tok)})}`, (id) => `\\delta x_{${scopeT(id)}}`, perLine(tot.value), 'no gradient reaches it');
    });
    const table = Array.from({ length: e.length }, (_, i) => {
      const t = i + 1;
      const cellsOf = (names: string[]) =>
        names.map((name) => {
          const v = q.get(`ex${e.index}.t${t}.${name}`);
          return v ? vecOf(v) : null;
        });
      return { t, token: e.tokens?.[i] ?? null, forward: cellsOf(columns.forward.map((c) => c.name)), backward: cellsOf(columns.backward.map((c) => c.name)) };
    });
    return {
      index: e.index,
      tokens: e.tokens,
      text: e.tokens ? e.tokens.join(' ') : null,
      length: e.length,
      targets: e.targets,
      lossId: e.loss,
      loss: (val(e.loss) as { x: Num }).x,
      lossTerms: e.targets.map((y) => ({ sym: S.quantity('loss', y.t), value: (val(`ex${e.index}.t${y.t}.loss`) as { x: Num }).x })),
      lossValues: e.targets.map((y) => (val(`ex${e.index}.t${y.t}.loss`) as { x: Num }).x),
      forward,
      backward: stacked ? stackedBackward(e) : backwardOfExample(e),
      totals,
      embTotals,
      table,
    };
  });

  const N = trace.examples.length;
  const exLabel = (id: string) => `n=${/^ex(\d+)/.exec(id)![1]}`;
  const batchLoss = totalBlock(trace.batch.loss, '\\mathcal{L}', (id) => `L^{(${/^ex(\d+)/.exec(id)![1]})}`, 8, 'a perfect prediction');
  const grads = trace.batch.grads.map((g) => totalBlock(g, `\\nabla_{${S.param(g.id.slice(5))}} \\mathcal{L}`, exLabel, perLine(g.value), 'no gradient reaches it'));
  const embGrads = trace.batch.embGrads.map((g) => {
    const tok = g.id.slice('grad.emb.'.length);
    return totalBlock(g, `\\nabla_{e(${mathText(tok)})} \\mathcal{L}`, exLabel, perLine(g.value), 'no gradient reaches it');
  });
  const lr = trace.training.learningRate;
  /** the clipped gradient of a parameter: ∇̃_θ L */
  const clippedSym = (sym: string) => `\\tilde{\\nabla}_{${sym}} \\mathcal{L}`;
  const updates: Block[] = trace.batch.updates.map((u) => {
    const isEmb = u.param.startsWith('emb.');
    const sym = isEmb ? `e(${mathText(u.param.slice(4))})` : S.param(u.param);
    const gradSym = u.grad.startsWith('grad.clipped.') ? clippedSym(sym) : `\\nabla_{${sym}} \\mathcal{L}`;
    return { partial: 'update', id: u.id, lhs: `${sym}'`, sym, before: u.before, lr: lr!, grad: val(u.grad), gradSym, value: u.value };
  });

  const clipView = (): ClipView | null => {
    const c = trace.batch.clip;
    if (!c) return null;
    // the squares entry by entry: always in full detail, for small parameters in standard, never in brief
    const limit = opts.detail === 'full' ? Infinity : opts.detail === 'standard' ? 9 : 0;
    const params = c.params.map((p) => {
      const g = val(p.grad);
      const entries = entriesOf(g);
      const lines: Vec[] = [];
      if (g.kind === 'mat') lines.push(...g.x);
      else for (let i = 0; i < entries.length; i += 6) lines.push(entries.slice(i, i + 6));
      const sym = S.param(p.param);
      return { sym, gradSym: `\\nabla_{${sym}} \\mathcal{L}`, entries, lines, showSquares: entries.length <= limit, index: g.kind === 'mat' ? 'i,j' : 'i', sum: p.sum };
    });
    const sumLines: { label: string; value: Num }[][] = [];
    for (let i = 0; i < params.length; i += 4) sumLines.push(params.slice(i, i + 4).map((p) => ({ label: p.sym, value: p.sum })));
    return {
      m: c.m,
      mPlaces: Math.max(opts.decimals, c.m.v.decimalPlaces()),
      id: c.id,
      params,
      sumLines,
      sums: params.map((p) => p.sum),
      total: c.total,
      norm: c.norm,
      places: placesFor(c.norm, c.m, c.factor !== null, opts.decimals),
      clipped: c.factor !== null,
      factor: c.factor,
      grads: c.clipped.map((g) => {
        const sym = S.param(g.param);
        return { id: g.id, lhs: clippedSym(sym), gradSym: `\\nabla_{${sym}} \\mathcal{L}`, grad: val(g.grad), value: g.value };
      }),
      embeddings: trace.batch.embGrads.length > 0,
    };
  };

  const truncationView = (): SolutionView['truncation'] => {
    const k = trace.training.truncate;
    if (k === null || !trace.fullBptt) return null;
    const T = Math.max(...trace.examples.map((e) => e.length));
    const chunks: string[] = [];
    for (let a = 1; a <= T; a += k) chunks.push(a === Math.min(a + k - 1, T) ? `${a}` : `${a}–${Math.min(a + k - 1, T)}`);
    const rows = [...trace.fullBptt].map(([id, { full, missing }]) => {
      const tok = id.startsWith('grad.emb.') ? id.slice('grad.emb.'.length) : null;
      return { id, sym: tok !== null ? `\\nabla_{e(${mathText(tok)})} \\mathcal{L}` : `\\nabla_{${S.param(id.slice(5))}} \\mathcal{L}`, truncated: val(id), full, missing, same: entriesOf(missing).every((x) => x.v.isZero()) };
    });
    return { k, chunks: chunks.join(', '), rows };
  };

  const H = trace.hidden;
  const D = trace.inputDim;
  const gateCount = { rnn: 1, lstm: 4, gru: 3 }[trace.cell];
  const biasCount = trace.convention === 'pytorch' ? 2 : 1;

  /** The setup's words for a stacked/bidirectional network: the layers, the head's input, the parameter count. */
  function stackedSetup(): Pick<SolutionView, 'stackedText' | 'headInput' | 'paramFormula'> {
    if (!stacked) return { stackedText: null, headInput: null, paramFormula: null };
    const Lc = trace.layers;
    const dirs = trace.bidirectional ? 2 : 1;
    const top = Lc > 1 ? `_l${Lc - 1}` : '';
    const hq = (sfx: string, t: string | number) => S.quantity(`h${sfx}`, t);
    const pair = (k: number, t: string | number, tr: string | number = t) => {
      const sfx = k > 0 ? `_l${k}` : '';
      return `\\begin{bmatrix} ${hq(sfx, t)} \\\\ ${hq(`${sfx}_reverse`, tr)} \\end{bmatrix}`;
    };
    const what = trace.bidirectional ? (Lc > 1 ? 'layer and direction' : 'direction') : 'layer';
    const parts: string[] = [
      `The network has ${Lc > 1 ? `$L = ${Lc}$ stacked layers` : 'one layer'} of this cell${trace.bidirectional ? `${Lc > 1 ? ', each' : ''} with a forward and a reverse direction (bidirectional)` : ''}, as \`torch.nn.${trace.cell.toUpperCase()}(num_layers=${Lc}${trace.bidirectional ? ', bidirectional=True' : ''})\`.`,
      `Each ${what} applies the equations above with its own parameters${Lc > 1 ? '; layer $k$ is marked with a superscript $(k)$, and its names in the problem file end in \`_l1\`, \`_l2\`, … from layer 2 on' : ''}${trace.bidirectional ? '; the reverse direction is marked with a left arrow, $\\overleftarrow{h}$ (names ending in \`_reverse\`), the forward one with a right arrow, $\\overrightarrow{h}$' : ''}.`,
    ];
    if (trace.bidirectional) {
      parts.push(`The reverse direction reads the sequence backwards, $t = T, \\dots, 1$: in its equations $h_{t-1}$ stands for its previous state $${hq('_reverse', 't+1')}$, starting from $${hq('_reverse', 0)}$; its quantities keep the index $t$ of the position they belong to.`);
    }
    if (Lc > 1) {
      parts.push(
        trace.bidirectional
          ? `Layer 1 reads $x_t$; layer $k > 1$ reads both directions of layer $k - 1$, concatenated (forward first), $2H = ${2 * H}$ entries: for example $${S.quantity('x_l1', 't')} = ${pair(0, 't')}$.`
          : `Layer 1 reads $x_t$; layer $k > 1$ reads the state of layer $k - 1$, $x^{(k)}_t = h^{(k-1)}_t$.`,
      );
    }
    parts.push(
      trace.bidirectional
        ? `The head reads both directions of the top layer${trace.head.outputAt === 'last' ? `; its one output uses the two final states (torch's \`h_n\`): $${S.quantity(`hcat${top}`, 'T')} = ${pair(Lc - 1, 'T', 1)}$` : `: $${S.quantity(`hcat${top}`, 't')} = ${pair(Lc - 1, 't')}$`}, so $W_{hy}$ has $2H = ${2 * H}$ columns.`
        : `The head reads the top layer's state, $${hq(top, 't')}$.`,
    );
    const k = gateCount > 1 ? `${gateCount} \\cdot ` : '';
    const terms: string[] = [];
    let total = 0;
    for (let layer = 0; layer < Lc; layer++) {
      const inDim = layer === 0 ? D : dirs * H;
      total += dirs * gateCount * H * (inDim + H + biasCount);
      terms.push(`\\underbrace{${dirs > 1 ? '2 \\cdot ' : ''}${k}${H}(${inDim} + ${H} + ${biasCount})}_{\\text{layer ${layer + 1}}}`);
    }
    total += O * (dirs * H + 1);
    terms.push(`\\underbrace{${O}(${dirs * H} + 1)}_{\\text{head}}`);
    return {
      stackedText: parts.join(' '),
      headInput: trace.bidirectional ? S.quantity(`hcat${top}`, 't') : hq(top, 't'),
      paramFormula: `${terms.join(' + ')} = ${total}`,
    };
  }
  return {
    title: trace.title,
    source: trace.source,
    decimals: opts.decimals,
    precision: trace.precision,
    hand: trace.hand,
    handMode: trace.hand !== null,
    detail: opts.detail,
    full: opts.detail === 'full',
    brief: opts.detail === 'brief',
    H,
    D,
    O,
    T: Math.max(...trace.examples.map((e) => e.length)),
    cell: trace.cell,
    convention: trace.convention,
    head: trace.head,
    headSingle,
    vocabulary: trace.vocabulary,
    params: trace.params.map((p) => ({ name: trace.paramNames.get(p.name) ?? p.name, sym: S.param(p.name), shape: p.shape.join(' \\times '), value: p.value, role: p.role })),
    paramCount: {
      k: gateCount > 1 ? gateCount : null,
      b: biasCount,
      H,
      D,
      O,
      total: trace.params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0),
      embeddings: trace.vocabulary.length ? trace.vocabulary.length * D : null,
    },
    initial: trace.initial.map((s) => ({ sym: stacked ? S.quantity(splitLabel(s.name).name, splitLabel(s.name).t) : `${s.name[0]}_{${s.name.slice(1)}}`, value: s.value, given: s.given })),
    training: { ...trace.training, examples: N },
    examples,
    columns,
    initialSyms: trace.state.map((st) => `$${st}_0$`).join(' and '),
    initialPlural: trace.state.length > 1,
    batch: { loss: batchLoss, grads, embGrads, clip: clipView(), updates, lr },
    truncation: truncationView(),
    quantityCount: q.size,
    stacked,
    bidirectional: trace.bidirectional,
    layers: trace.layers,
    ...stackedSetup(),
    flow: buildFlow(trace),
  };
}
