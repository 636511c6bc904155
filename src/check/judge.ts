// Judging a student's answers against the trace, with error carried forward (ECF).
//
// 1. The exact solution gives the right value of every entry.
// 2. A replay of the whole solution (engine `substitute`) puts the student's answered
//    entries in place of the computed ones as they arise, and records what each answered
//    quantity comes to BEFORE its own substitution: the value it should have given the
//    student's own earlier values.
// 3. Walking the answered quantities in replay order (a topological order), an entry is
//    right when it matches the exact value (or, with hand arithmetic, the hand-rounded one,
//    or the hand-rounded computation from the student's own earlier values when none of
//    those it depends on is wrong);
//    ECF when it does not, but matches the replayed value and depends — through the
//    trace's real data flow (steps' operands, gradients' parts, sums) — on a wrong answer;
//    wrong otherwise. `firstError` is the earliest (in replay order) wrong answer among the
//    quantities it depends on.
import type { Numeric, Num } from '../numeric/index.js';
import type { Problem } from '../problem/types.js';
import { solve } from '../engine/solve.js';
import { LossDomainError } from '../engine/ops/loss.js';
import type { Arg, Trace, Value } from '../trace/types.js';
import { entryKey, entryOf, indexPaths, shapeOf, type Answer } from './answers.js';

export type Verdict = 'right' | 'wrong' | 'ecf' | 'unanswered';

/** |given − expected| ≤ ½·10⁻ᵏ, or ≤ max(T, R·|expected|). */
export type Tolerance = { kind: 'decimals'; decimals: number } | { kind: 'abs'; abs: Num | null; rel: Num | null };

export interface CheckOptions {
  precision: number;
  tolerance: Tolerance;
  /** hand arithmetic: an answer matching the computation rounded to this many decimals at every step is right too */
  hand: number | null;
}

export interface Judged {
  key: string;
  qid: string;
  idx: number[];
  answer: Answer | null;
  /** the exact value */
  expected: Num;
  /** with hand arithmetic: the hand-rounded value */
  handExpected: Num | null;
  /** what the entry comes to from the student's own earlier answers (the replay); null when unanswered */
  followed: Num | null;
  verdict: Verdict;
  /** wrong: the entry itself; ECF: the earliest wrong answer it depends on; else null */
  firstError: string | null;
}

export interface Judgement {
  trace: Trace;
  entries: Judged[];
}

/**
 * One input of a quantity and which of its entries each entry reads: `all` (a matrix
 * product), `each` (entry i reads entry i: tanh, ⊙, sums), or, for an outer product
 * g vᵀ placed in `rows` of a parameter, `row` (entry [i][j] reads g[i]) and `col` (v[j]).
 */
export interface Dep {
  id: string;
  map: 'all' | 'each' | 'row' | 'col';
  rows?: [number, number];
}

/**
 * The data flow of the trace: the quantities each step, gradient, sum and update is
 * computed from (by id; parameters and constants left out), entry by entry where the
 * operation works entry by entry.
 */
export function dependencies(trace: Trace): Map<string, Dep[]> {
  const deps = new Map<string, Dep[]>();
  const of = (a: Arg | string | undefined, each: boolean | 'row' | 'col', rows?: [number, number]): Dep[] => {
    const map = each === true ? 'each' : each === false ? 'all' : each;
    const dep: Omit<Dep, 'id'> = rows ? { map, rows } : { map };
    return typeof a === 'string' ? [{ id: a, ...dep }] : a && a.kind === 'step' ? [{ id: a.id, ...dep }] : [];
  };
  for (const ex of trace.examples) {
    for (const s of ex.forward) {
      const d: Dep[] = [];
      switch (s.op) {
        case 'affine':
          for (const t of s.terms) d.push(...of(t.v, false));
          for (const a of s.addends) d.push(...of(a, true));
          break;
        case 'concat':
          for (const a of s.args) d.push(...of(a, false));
          break;
        case 'sum':
          for (const a of s.args) d.push(...of(a, true));
          break;
        case 'mix':
          for (const t of s.terms) d.push(...of(t.a, true), ...of(t.b, true));
          break;
        case 'loss':
          d.push(...of(s.yhat, false));
          break;
        case 'embed':
        case 'input':
          break;
        case 'softmax':
          d.push(...of(s.arg, false));
          break;
        default:
          d.push(...of(s.arg, true));
      }
      deps.set(s.id, d);
    }
    for (const g of ex.backward) {
      const d: Dep[] = [];
      for (const c of g.parts) {
        switch (c.rule) {
          case 'outer': {
            const rows = c.to.kind === 'param' ? c.to.rows : undefined;
            d.push(...of(c.grad, 'row', rows), ...of(c.v, 'col', rows));
            break;
          }
          case 'matvecT':
          case 'slice':
            d.push(...of(c.grad, false));
            break;
          case 'tanh':
          case 'sigmoid':
            d.push(...of(c.grad, true), ...of(c.y, true));
            break;
          case 'softmax':
            d.push(...of(c.grad, false), ...of(c.y, false));
            break;
          case 'loss':
            d.push(...of(c.yhat, true));
            break;
          case 'mix':
            d.push(...of(c.grad, true), ...of(c.other, true));
            break;
          default:
            d.push(...of(c.grad, true));
        }
      }
      deps.set(g.id, d);
    }
    for (const t of [...ex.paramTotals, ...ex.embTotals]) deps.set(t.id, t.of.map((id) => ({ id, map: 'each' as const })));
  }
  for (const t of [trace.batch.loss, ...trace.batch.grads, ...trace.batch.embGrads]) deps.set(t.id, t.of.map((id) => ({ id, map: 'each' as const })));
  const clip = trace.batch.clip;
  if (clip) {
    // ‖g‖ reads every entry of every parameter gradient; a clipped gradient its own entry and ‖g‖
    deps.set(clip.id, clip.params.map((p) => ({ id: p.grad, map: 'all' as const })));
    for (const c of clip.clipped) deps.set(c.id, [{ id: c.grad, map: 'each' }, { id: clip.id, map: 'all' }]);
  }
  for (const u of trace.batch.updates) deps.set(u.id, [{ id: u.grad, map: 'each' }]);
  return deps;
}

/** The shape of every quantity in the trace, internal ones included. */
function shapes(trace: Trace): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const size = shapeOf;
  for (const ex of trace.examples) {
    for (const s of [...ex.forward, ...ex.backward, ...ex.paramTotals, ...ex.embTotals]) out.set(s.id, size(s.value));
  }
  for (const t of [trace.batch.loss, ...trace.batch.grads, ...trace.batch.embGrads, ...trace.batch.updates]) out.set(t.id, size(t.value));
  if (trace.batch.clip) {
    out.set(trace.batch.clip.id, []);
    for (const c of trace.batch.clip.clipped) out.set(c.id, size(c.value));
  }
  return out;
}

function withAnswers(v: Value, answers: Answer[]): Value {
  if (v.kind === 'scalar') return { kind: 'scalar', x: answers[0]!.given };
  if (v.kind === 'vec') {
    const x = [...v.x];
    for (const a of answers) x[a.idx[0]!] = a.given;
    return { kind: 'vec', x };
  }
  const x = v.x.map((r) => [...r]);
  for (const a of answers) x[a.idx[0]!]![a.idx[1]!] = a.given;
  return { kind: 'mat', x };
}

/** Solve with the answers substituted; returns each id's value before substitution and the order ids were computed in. */
function replay(problem: Problem, byQid: Map<string, Answer[]>, precision: number, hand: number | null) {
  const before = new Map<string, Value>();
  const order = new Map<string, number>();
  solve(problem, {
    precision,
    hand,
    substitute: (id, v) => {
      if (!order.has(id)) order.set(id, order.size);
      const mine = byQid.get(id);
      if (!mine) return v;
      before.set(id, v);
      return withAnswers(v, mine);
    },
  });
  return { before, order };
}

/**
 * A student's value can make the replay undefined (a ŷ outside (0, 1) under a log): then
 * the replay is run again without substituting the answers the loss reads (ŷ).
 */
function safeReplay(problem: Problem, byQid: Map<string, Answer[]>, precision: number, hand: number | null) {
  try {
    return replay(problem, byQid, precision, hand);
  } catch (e) {
    if (!(e instanceof LossDomainError)) throw e;
    const kept = new Map([...byQid].filter(([qid]) => !/(^|\.)yhat$/.test(qid)));
    return replay(problem, kept, precision, hand);
  }
}

/** `trace`: the exact solution, when already computed (to validate the answers' ids). */
export function judge(problem: Problem, answers: Answer[], n: Numeric, opts: CheckOptions, exactTrace?: Trace): Judgement {
  const trace = exactTrace ?? solve(problem, { precision: opts.precision });
  const handTrace = opts.hand === null ? null : solve(problem, { precision: opts.precision, hand: opts.hand });
  const byQid = new Map<string, Answer[]>();
  for (const a of answers) byQid.set(a.qid, [...(byQid.get(a.qid) ?? []), a]);
  const exactReplay = safeReplay(problem, byQid, opts.precision, null);
  const handReplay = opts.hand === null ? null : safeReplay(problem, byQid, opts.precision, opts.hand);
  const order = exactReplay.order;

  const tol = opts.tolerance;
  const half = tol.kind === 'decimals' ? n.parse(`0.5e-${tol.decimals}`) : null;
  const close = (given: Num, x: Num | null | undefined): boolean => {
    if (!x) return false;
    const diff = n.sub(given, x).v.abs();
    if (half) return diff.lte(half.v);
    const t = tol as Extract<Tolerance, { kind: 'abs' }>;
    const abs = t.abs?.v;
    const rel = t.rel ? n.mul(t.rel, { v: x.v.abs(), exact: x.exact }).v : undefined;
    return (abs !== undefined && diff.lte(abs)) || (rel !== undefined && diff.lte(rel));
  };

  // verdicts, in replay order
  const deps = dependencies(trace);
  const shape = shapes(trace);
  const rank = (id: string) => order.get(id) ?? Number.MAX_SAFE_INTEGER;
  type Source = { key: string; at: [number, number] };
  const earlier = (a: Source | null, b: Source | null): Source | null =>
    !a ? b : !b ? a : a.at[0] < b.at[0] || (a.at[0] === b.at[0] && a.at[1] <= b.at[1]) ? a : b;
  /**
   * Entry by entry, the error an answered quantity passes on, once judged: a wrong entry
   * its own, an ECF entry the error it follows from, an entry left to the engine whatever
   * reaches it from upstream, a right entry none. The student's value replaced the
   * computed one, so errors further up reach what follows only through it.
   */
  const carriedBy = new Map<string, (Source | null)[]>();
  const memo = new Map<string, (Source | null)[]>();
  /** entry by entry, the earliest (in replay order) wrong answer whose value reaches `id` */
  const upstream = (id: string): (Source | null)[] => {
    const known = memo.get(id);
    if (known) return known;
    const sh = shape.get(id) ?? [];
    const cols = sh.length === 2 ? sh[1]! : 1;
    const best: (Source | null)[] = Array.from({ length: sh.reduce((a, b) => a * b, 1) }, () => null);
    for (const d of deps.get(id) ?? []) {
      const c = carriedBy.get(d.id) ?? upstream(d.id);
      if (d.map === 'each' && c.length === best.length) c.forEach((x, i) => (best[i] = earlier(best[i]!, x)));
      else if (d.map === 'row' || d.map === 'col') {
        const [r0, r1] = d.rows ?? [0, best.length / cols];
        best.forEach((x, pos) => {
          const i = Math.floor(pos / cols);
          if (i < r0 || i >= r1) return;
          best[pos] = earlier(x, c[d.map === 'row' ? i - r0 : pos % cols] ?? null);
        });
      } else {
        const any = c.reduce<Source | null>((m, x) => earlier(m, x), null);
        if (any) best.forEach((x, i) => (best[i] = earlier(x, any)));
      }
    }
    memo.set(id, best);
    return best;
  };

  const judged = new Map<string, Judged[]>();
  for (const qid of [...byQid.keys()].sort((a, b) => rank(a) - rank(b))) {
    const mine = byQid.get(qid)!;
    const exact = trace.quantities.get(qid)!;
    const handV = handTrace?.quantities.get(qid) ?? null;
    const fol = exactReplay.before.get(qid) ?? exact;
    const folHand = handReplay?.before.get(qid) ?? handV;
    const sources = upstream(qid);
    const list: Judged[] = [];
    const carried: (Source | null)[] = [];
    const answered = new Map(mine.map((a) => [entryKey(qid, a.idx), a]));
    indexPaths(shapeOf(exact)).forEach((idx, pos) => {
      const key = entryKey(qid, idx);
      const a = answered.get(key) ?? null;
      const expected = entryOf(exact, idx);
      const handExpected = handV ? entryOf(handV, idx) : null;
      const source = sources[pos] ?? null;
      carried[pos] = null;
      if (!a) {
        carried[pos] = source;
        list.push({ key, qid, idx, answer: null, expected, handExpected, followed: null, verdict: 'unanswered', firstError: null });
        return;
      }
      const followed = entryOf(fol, idx);
      let verdict: Verdict;
      let firstError: string | null = null;
      const followedHand = folHand ? entryOf(folHand, idx) : null;
      // by hand, a value computed right from one's own right (rounded) values is right
      if (close(a.given, expected) || close(a.given, handExpected) || (!source && close(a.given, followedHand))) verdict = 'right';
      else if (source && (close(a.given, followed) || close(a.given, followedHand))) {
        verdict = 'ecf';
        firstError = source.key;
        carried[pos] = source;
      } else {
        verdict = 'wrong';
        firstError = key;
        carried[pos] = { key, at: [rank(qid), pos] };
      }
      list.push({ key, qid, idx, answer: a, expected, handExpected, followed, verdict, firstError });
    });
    // a quantity the replay never substituted (x_t, a given) passes on nothing of the student's
    if (exactReplay.before.has(qid)) carriedBy.set(qid, carried);
    judged.set(qid, list);
  }

  // report order: the solution's
  const entries: Judged[] = [];
  for (const qid of trace.quantities.keys()) entries.push(...(judged.get(qid) ?? []));
  return { trace, entries };
}
