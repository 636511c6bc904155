// Problem → Trace: the forward pass of every example, BPTT, the sums, the update.
import { Numeric, type Num } from '../numeric/index.js';
import type { Problem } from '../problem/types.js';
import { entriesOf, type Arg, type Clip, type ExampleTrace, type Mat, type ParamInfo, type Total, type Trace, type Update, type Value, type Vec } from '../trace/types.js';
import { bptt } from './bptt.js';
import { cells, type ParamSpec } from './cells/index.js';
import { addValues, mapValue, mat, scaleValue, sumValues, vec } from './linalg.js';
import { Recorder, type Adjust } from './recorder.js';
import { isStacked, layerUnits, networkParams, recordStacked } from './stacked.js';

export interface SolveOptions {
  precision: number;
  /** hand arithmetic: round every computed quantity to this many decimals before it is used further */
  hand?: number | null;
  /**
   * Called with every computed quantity (id, value, after hand rounding) before it is used
   * further; what it returns is used instead. The checker replays a solution with a
   * student's answers substituted this way (error carried forward).
   */
  substitute?: Adjust | null;
}

export function solve(problem: Problem, opts: SolveOptions): Trace {
  const n = Numeric.at(opts.precision);
  const cell = cells[problem.cell][problem.convention];
  const H = problem.hidden;
  // stacked layers and directions (DESIGN §5): each unit's parameters take its suffix;
  // layer k > 0 reads dirs·H entries, and so does the head
  const units = layerUnits(problem.layers ?? 1, problem.bidirectional ?? false);
  const stacked = isStacked(problem);
  const specs: (ParamSpec & { role: ParamInfo['role'] })[] = networkParams(cell, H, problem.inputDim, problem.outputDim, problem.layers ?? 1, problem.bidirectional ?? false);
  const hand = opts.hand ?? null;
  const sub = opts.substitute ?? null;
  const round = (v: Value) => (hand === null ? v : mapValue(v, (x) => n.roundTo(x, hand)));
  const adjust: Adjust | null = hand === null && !sub ? null : (id, v) => (sub ? sub(id, round(v)) : round(v));
  const adjusted = (id: string, v: Value) => (adjust ? adjust(id, v) : v);
  const values = new Map<string, Value>();
  for (const p of specs) {
    const raw = problem.params.get(p.name)!;
    values.set(p.name, p.shape.length === 2 ? mat(raw as Mat) : vec(raw as Vec));
  }
  const quantities = new Map<string, Value>();
  const sumOf = (ids: string[], like: Value, scale: Trace['batch']['loss']['scale'] = null): Value => {
    const s = sumValues(n, ids.map((id) => quantities.get(id)!), like);
    return scale ? scaleValue(n, scale, s) : s;
  };
  const total = (id: string, of: string[], like: Value, scale: Trace['batch']['loss']['scale'] = null): Total => {
    const t: Total = { id, of, scale, value: adjusted(id, sumOf(of, like, scale)) };
    quantities.set(id, t.value);
    return t;
  };

  const examples: ExampleTrace[] = problem.examples.map((ex, k) => {
    const index = k + 1;
    const g = new Recorder(n, values, index, H, adjust);
    let state: Record<string, Arg> = {};
    for (const s of cell.state) {
      state[s] = { kind: 'const', label: `${s}0`, value: vec(problem.initial.get(`${s}0`)!.value) };
    }
    const losses: Arg[] = stacked ? recordStacked(g, cell, problem, ex) : [];
    const T = ex.inputs.length;
    const chunk = problem.training.truncate;
    for (let t = 1; t <= (stacked ? 0 : T); t++) {
      g.t = t;
      if (chunk !== null && t > 1 && (t - 1) % chunk === 0) {
        // truncated BPTT: the state is carried forward but detached, as `hidden.detach()`;
        // the chunk starting here reads it as a constant, so no gradient flows back through it
        state = Object.fromEntries(Object.entries(state).map(([s, a]) => [s, { kind: 'const', label: `${s}${t - 1}`, value: g.value(a), detached: true }]));
      }
      const x = ex.tokens ? g.embed(ex.tokens[t - 1]!, ex.inputs[t - 1]!) : g.input(ex.inputs[t - 1]!);
      state = cell.step(g, x, state);
      const target = ex.targets.find((y) => y.t === t);
      if (target) {
        const s = g.affine('s', [[g.p('W_hy'), state.h!]], [g.p('b_y')]);
        const yhat = g.apply(problem.head.activation, 'yhat', s);
        losses.push(g.loss(problem.head.loss, 'loss', yhat, target.target, target.targetIndex));
      }
    }
    g.t = null;
    const lossArg = g.sum('loss', losses);
    const lossId = (lossArg as { id: string }).id;
    for (const s of g.steps) if (!s.internal) quantities.set(s.id, s.value);
    const backward = bptt(g, lossId, specs);
    for (const b of backward) if (!b.internal) quantities.set(b.id, b.value);

    const paramTotals = specs.map((p) =>
      total(
        `ex${index}.d${p.name}`,
        Array.from({ length: T }, (_, i) => `ex${index}.t${i + 1}.d${p.name}`),
        values.get(p.name)!,
      ),
    );
    const embTotals: Total[] = [];
    if (ex.tokens && problem.training.trainEmbeddings) {
      for (const tok of new Set(ex.tokens)) {
        const of = ex.tokens.flatMap((w, i) => (w === tok ? [`ex${index}.t${i + 1}.dx`] : []));
        embTotals.push(total(`ex${index}.demb.${tok}`, of, vec(problem.embeddings.get(tok)!)));
      }
    }
    return {
      index,
      tokens: ex.tokens,
      targets: ex.targets,
      length: T,
      forward: g.steps,
      backward,
      paramTotals,
      embTotals,
      loss: lossId,
    };
  });

  const N = examples.length;
  const scale = problem.training.reduction === 'mean' ? n.div(n.one, n.exact(String(N))) : null;
  const loss = total('loss', examples.map((e) => e.loss), { kind: 'scalar', x: n.zero }, scale);
  const grads = specs.map((p) => total(`grad.${p.name}`, examples.map((e) => `ex${e.index}.d${p.name}`), values.get(p.name)!, scale));
  const embGrads: Total[] = [];
  if (problem.training.trainEmbeddings) {
    for (const [tok, e] of problem.embeddings) {
      const of = examples.flatMap((ex) => (ex.embTotals.some((t) => t.id === `ex${ex.index}.demb.${tok}`) ? [`ex${ex.index}.demb.${tok}`] : []));
      if (of.length === 0 && !examples.some((ex) => ex.tokens)) continue;
      embGrads.push(total(`grad.emb.${tok}`, of, vec(e), scale));
    }
  }
  const clip = problem.training.clipNorm ? clipGradients(n, problem.training.clipNorm, grads, specs.map((p) => p.name), adjusted, hand) : null;
  if (clip) {
    quantities.set(clip.id, { kind: 'scalar', x: clip.norm });
    for (const c of clip.clipped) quantities.set(c.id, c.value);
  }
  const updates: Update[] = [];
  const lr = problem.training.learningRate;
  if (lr) {
    const step = (id: string, param: string, before: Value, grad: string) => {
      const g = quantities.get(grad)!;
      const value = adjusted(id, addValues(n, before, scaleValue(n, n.neg(lr), g)));
      quantities.set(id, value);
      updates.push({ id, param, before, grad, value });
    };
    // with clip_norm the parameters take their clipped gradients; embeddings, outside the norm, their own
    for (const p of specs) step(`update.${p.name}`, p.name, values.get(p.name)!, clip ? `grad.clipped.${p.name}` : `grad.${p.name}`);
    for (const t of embGrads) {
      const tok = t.id.slice('grad.emb.'.length);
      step(`update.emb.${tok}`, `emb.${tok}`, vec(problem.embeddings.get(tok)!), t.id);
    }
  }

  return {
    title: problem.title,
    source: problem.file,
    cell: problem.cell,
    convention: problem.convention,
    hidden: H,
    inputDim: problem.inputDim,
    outputDim: problem.outputDim,
    head: problem.head,
    gates: cell.gates,
    paramNames: problem.paramNames,
    state: cell.state,
    vocabulary: [...problem.embeddings].map(([token, value]) => ({ token, value })),
    params: specs.map((p) => ({ name: p.name, shape: p.shape, role: p.role, value: values.get(p.name)! })),
    initial: units.flatMap((u) => cell.state.map((s) => ({ name: `${s}0${u.suffix}`, ...problem.initial.get(`${s}0${u.suffix}`)! }))),
    layers: problem.layers ?? 1,
    bidirectional: problem.bidirectional ?? false,
    training: problem.training,
    precision: opts.precision,
    hand,
    examples,
    batch: { loss, grads, embGrads, clip, updates },
    quantities: orderQuantities(examples, quantities),
    fullBptt: problem.training.truncate === null ? null : fullBpttGrads(problem, opts, quantities),
  };
}

/**
 * Clipping by the global norm (DESIGN §6): ‖g‖ = √(Σ over every entry of every parameter
 * gradient of its square) — the squares and their sum in exact Num arithmetic, the root at
 * working precision — and, when ‖g‖ > m, every parameter gradient times m/‖g‖ (no epsilon).
 * `grad.norm` and each `grad.clipped.<Param>` go through `adjusted` (hand rounding, the
 * checker's substitution) like every other quantity. Hand arithmetic also rounds each
 * parameter's sum of squares and the factor, the intermediate results a hand computation writes down.
 */
function clipGradients(
  n: Numeric,
  m: Num,
  grads: Total[],
  names: string[],
  adjusted: (id: string, v: Value) => Value,
  hand: number | null,
): Clip {
  const params = grads.map((g, k) => {
    const squares = entriesOf(g.value).map((x) => n.mul(x, x));
    // hand arithmetic rounds each parameter's sum of squares (the squares themselves are exact)
    const sum = n.sum(squares);
    return { param: names[k]!, grad: g.id, squares, sum: hand === null ? sum : n.roundTo(sum, hand) };
  });
  const total = n.sum(params.map((p) => p.sum));
  const id = 'grad.norm';
  const norm = (adjusted(id, { kind: 'scalar', x: n.sqrt(total) }) as { x: Num }).x;
  let factor: Num | null = null;
  if (norm.v.gt(m.v)) {
    factor = n.div(m, norm);
    if (hand !== null) factor = n.roundTo(factor, hand);
  }
  const clipped = grads.map((g, k) => {
    const cid = `grad.clipped.${names[k]!}`;
    return { id: cid, param: names[k]!, grad: g.id, value: adjusted(cid, factor ? scaleValue(n, factor, g.value) : g.value) };
  });
  return { m, id, params, total, norm, factor, clipped };
}

/**
 * The batch gradients of the same problem without truncation, and what truncation left out
 * of each (full − truncated), for the comparison.
 */
function fullBpttGrads(problem: Problem, opts: SolveOptions, truncated: Map<string, Value>): Map<string, { full: Value; missing: Value }> {
  const n = Numeric.at(opts.precision);
  const full = solve({ ...problem, training: { ...problem.training, truncate: null, learningRate: null, clipNorm: null } }, { precision: opts.precision, hand: opts.hand ?? null });
  const out = new Map<string, { full: Value; missing: Value }>();
  for (const t of [...full.batch.grads, ...full.batch.embGrads]) {
    out.set(t.id, { full: t.value, missing: addValues(n, t.value, scaleValue(n, n.neg(n.one), truncated.get(t.id)!)) });
  }
  return out;
}

/** Solution order: each example forward, then backward, then its sums; then the batch. */
function orderQuantities(examples: ExampleTrace[], q: Map<string, Value>): Map<string, Value> {
  const out = new Map<string, Value>();
  const put = (id: string) => out.set(id, q.get(id)!);
  for (const e of examples) {
    e.forward.forEach((s) => !s.internal && put(s.id));
    e.backward.forEach((b) => !b.internal && put(b.id));
    e.paramTotals.forEach((t) => put(t.id));
    e.embTotals.forEach((t) => put(t.id));
  }
  for (const [id] of q) if (!out.has(id)) put(id);
  return out;
}
