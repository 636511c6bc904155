// High-precision finite-difference gradient check of the whole engine (forward + BPTT).
//
// At 64 significant digits a central difference (L(θ+ε) − L(θ−ε)) / 2ε with ε = 1e-25 has a
// truncation error of order ε² ≈ 1e-50 and a rounding error of order 1e-64 / ε ≈ 1e-39, so it
// must agree with the engine's analytic gradient to far better than the 1e-20 asked here.
// Every parameter entry and every embedding entry is perturbed, on the seed problem and on
// seeded random problems covering every head/loss combination the validator accepts, for
// every cell (rnn, lstm, gru) in both conventions (textbook, pytorch).
import { describe, it, expect } from 'vitest';
import { ATOL, EPS, flat, n, RTOL, run, TWO_EPS } from '../helpers/fd.js';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Num } from '../../src/numeric/index.js';
import { loadProblem, validate } from '../../src/problem/validate.js';
import { parseSource } from '../../src/problem/source.js';
import type { CellKind, Convention, Problem } from '../../src/problem/types.js';
import type { Mat, Trace, Value, Vec } from '../../src/trace/types.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** for ids that are sums of other ids: only rounding at 64 digits separates them */
const SUM_RTOL = n.parse('1e-55');
const SUM_ATOL = n.parse('1e-58');

// ---------------------------------------------------------------------------------------
// helpers


function get(tr: Trace, id: string): Value {
  const v = tr.quantities.get(id);
  if (!v) throw new Error(`no quantity ${id}`);
  return v;
}
const scalarOf = (tr: Trace, id: string): Num => {
  const v = get(tr, id);
  if (v.kind !== 'scalar') throw new Error(`${id} is a ${v.kind}, expected a scalar`);
  return v.x;
};

function close(got: Num, want: Num, rtol: Num, atol: Num): boolean {
  const diff = n.sub(got, want).v.abs();
  return diff.lte(n.add(atol, n.mul(rtol, { v: want.v.abs(), exact: want.exact })).v);
}

function sameValues(label: string, got: Value, want: Value, bad: string[]): void {
  const g = flat(got);
  const w = flat(want);
  if (got.kind !== want.kind || g.length !== w.length) {
    bad.push(`${label}: shape ${got.kind}/${g.length} vs ${want.kind}/${w.length}`);
    return;
  }
  g.forEach((x, i) => {
    if (!close(x, w[i]!, SUM_RTOL, SUM_ATOL)) bad.push(`${label}[${i}]: ${n.toString(x)} vs ${n.toString(w[i]!)}`);
  });
}

/** Entries in row order, in the shape of `like`. */
function reshape(like: Value, xs: Num[]): Value {
  if (like.kind === 'scalar') return { kind: 'scalar', x: xs[0]! };
  if (like.kind === 'vec') return { kind: 'vec', x: xs };
  const cols = like.x[0]!.length;
  return { kind: 'mat', x: like.x.map((_, i) => xs.slice(i * cols, (i + 1) * cols)) };
}

function sumValues(values: Value[], like: Value, scale: Num | null): Value {
  const z = flat(like).map(() => n.zero);
  const total = values.reduce<Num[]>((acc, v) => acc.map((a, i) => n.add(a, flat(v)[i]!)), z);
  return reshape(like, scale ? total.map((x) => n.mul(scale, x)) : total);
}

/** One entry of the problem, how to perturb it, and the ids whose value is ∂L/∂(entry). */
interface Entry {
  label: string;
  perturb(p: Problem, delta: Num): Problem;
  /** the batch gradient: [id, flat index] */
  batch: [string, number] | null;
  /** per example n (1-based): [id, flat index], or null when the entry does not feed example n */
  perExample(ex: number): [string, number] | null;
}

function paramEntries(p: Problem): Entry[] {
  const out: Entry[] = [];
  for (const [name, v] of p.params) {
    const isMat = Array.isArray(v[0]);
    const rows = isMat ? (v as Mat).length : 1;
    const cols = isMat ? (v as Mat)[0]!.length : (v as Vec).length;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const k = i * cols + j;
        out.push({
          label: `${name}[${i + 1}]${isMat ? `[${j + 1}]` : ''}`,
          perturb: (q, d) => {
            const params = new Map(q.params);
            const old = q.params.get(name)!;
            params.set(
              name,
              isMat
                ? (old as Mat).map((r, a) => r.map((x, b) => (a === i && b === j ? n.add(x, d) : x)))
                : (old as Vec).map((x, b) => (b === j ? n.add(x, d) : x)),
            );
            return { ...q, params };
          },
          batch: [`grad.${name}`, k],
          perExample: (ex) => [`ex${ex}.d${name}`, k],
        });
      }
    }
  }
  return out;
}

function embeddingEntries(p: Problem): Entry[] {
  const out: Entry[] = [];
  for (const [tok, v] of p.embeddings) {
    v.forEach((_, i) => {
      out.push({
        label: `emb.${tok}[${i + 1}]`,
        perturb: (q, d) => {
          const embeddings = new Map(q.embeddings);
          embeddings.set(tok, q.embeddings.get(tok)!.map((x, b) => (b === i ? n.add(x, d) : x)));
          // text examples read their inputs from the embeddings
          const examples = q.examples.map((ex) => (ex.tokens ? { ...ex, inputs: ex.tokens.map((w) => embeddings.get(w)!) } : ex));
          return { ...q, embeddings, examples };
        },
        batch: [`grad.emb.${tok}`, i],
        perExample: (ex) => (p.examples[ex - 1]!.tokens?.includes(tok) ? [`ex${ex}.demb.${tok}`, i] : null),
      });
    });
  }
  return out;
}

/** Raw input vectors of `inputs:` examples: ∂L_n/∂x_t is ex<n>.t<t>.dx. */
function inputEntries(p: Problem): Entry[] {
  const out: Entry[] = [];
  p.examples.forEach((ex, e) => {
    if (ex.tokens) return;
    ex.inputs.forEach((x, t) => {
      x.forEach((_, i) => {
        out.push({
          label: `ex${e + 1}.inputs[${t + 1}][${i + 1}]`,
          perturb: (q, d) => ({
            ...q,
            examples: q.examples.map((qe, k) =>
              k === e ? { ...qe, inputs: qe.inputs.map((v, s) => (s === t ? v.map((y, b) => (b === i ? n.add(y, d) : y)) : v)) } : qe,
            ),
          }),
          batch: null,
          perExample: (k) => (k === e + 1 ? [`ex${k}.t${t + 1}.dx`, i] : null),
        });
      });
    });
  });
  return out;
}

interface GradReport {
  checked: number;
  bad: string[];
  /** the largest relative error seen, as a number (for the log) */
  worst: number;
}

/** The batch loss and each example's loss of a problem: the function the differences are taken of. */
type Evaluate = (p: Problem) => { loss: Num; examples: Num[] };

/** The engine's own forward pass (a whole solve). */
const engineLosses: Evaluate = (p) => {
  const tr = run(p);
  return { loss: scalarOf(tr, 'loss'), examples: p.examples.map((_, e) => scalarOf(tr, `ex${e + 1}.loss`)) };
};

/**
 * The independent forward pass of DESIGN §5 (referenceLosses below): no tape, no backward
 * walk, so about half the cost of a solve. `checkForward` first shows that the engine's
 * losses equal it to rounding at the base point.
 */
const referenceEval: Evaluate = (p) => {
  const examples = referenceLosses(p);
  const total = n.sum(examples);
  const loss = p.training.reduction === 'mean' ? n.div(total, n.exact(String(examples.length))) : total;
  return { loss, examples };
};

/** Central differences for every entry against the engine's analytic gradients. */
function gradcheck(p: Problem, entries: Entry[], tamper?: (base: Trace) => void, evaluate: Evaluate = engineLosses): GradReport {
  const base = run(p);
  tamper?.(base);
  const N = p.examples.length;
  const report: GradReport = { checked: 0, bad: [], worst: 0 };
  const compare = (what: string, fd: Num, g: Num) => {
    report.checked++;
    const err = n.sub(fd, g).v.abs();
    if (!g.v.isZero()) report.worst = Math.max(report.worst, err.div(g.v.abs()).toNumber());
    if (!close(fd, g, RTOL, ATOL)) report.bad.push(`${what}: finite difference ${n.toString(fd)}, engine ${n.toString(g)}`);
  };
  for (const e of entries) {
    const plus = evaluate(e.perturb(p, EPS));
    const minus = evaluate(e.perturb(p, n.neg(EPS)));
    const fd = (a: Num, b: Num) => n.div(n.sub(a, b), TWO_EPS);
    if (e.batch) compare(`${e.label} vs ${e.batch[0]}`, fd(plus.loss, minus.loss), flat(get(base, e.batch[0]))[e.batch[1]]!);
    for (let k = 1; k <= N; k++) {
      const id = e.perExample(k);
      const d = fd(plus.examples[k - 1]!, minus.examples[k - 1]!);
      if (id) compare(`${e.label} vs ${id[0]}`, d, flat(get(base, id[0]))[id[1]]!);
      else {
        // the entry does not feed example k: its loss must not move at all
        report.checked++;
        if (!d.v.isZero()) report.bad.push(`${e.label} changes ex${k}.loss, which does not use it`);
      }
    }
  }
  return report;
}

/** The structural identities of section 7: sums over timesteps, occurrences, examples. */
function checkSums(p: Problem, tr: Trace): string[] {
  const bad: string[] = [];
  const N = p.examples.length;
  const scale = p.training.reduction === 'mean' ? n.div(n.one, n.exact(String(N))) : null;
  for (const name of p.params.keys()) {
    const like = get(tr, `grad.${name}`);
    p.examples.forEach((ex, e) => {
      const k = e + 1;
      const parts = ex.inputs.map((_, t) => get(tr, `ex${k}.t${t + 1}.d${name}`));
      sameValues(`ex${k}.d${name} = Σ_t`, get(tr, `ex${k}.d${name}`), sumValues(parts, like, null), bad);
    });
    const perEx = p.examples.map((_, e) => get(tr, `ex${e + 1}.d${name}`));
    sameValues(`grad.${name} = ${scale ? 'mean' : 'Σ'}`, like, sumValues(perEx, like, scale), bad);
  }
  const hasText = p.examples.some((ex) => ex.tokens);
  for (const [tok, emb] of p.embeddings) {
    const like: Value = { kind: 'vec', x: emb };
    const perEx: Value[] = [];
    p.examples.forEach((ex, e) => {
      const k = e + 1;
      const id = `ex${k}.demb.${tok}`;
      if (!ex.tokens?.includes(tok)) {
        if (tr.quantities.has(id)) bad.push(`${id} exists but ex${k} does not use "${tok}"`);
        return;
      }
      const occ = ex.tokens.flatMap((w, t) => (w === tok ? [get(tr, `ex${k}.t${t + 1}.dx`)] : []));
      sameValues(`${id} = Σ occurrences`, get(tr, id), sumValues(occ, like, null), bad);
      perEx.push(get(tr, id));
    });
    if (hasText) sameValues(`grad.emb.${tok}`, get(tr, `grad.emb.${tok}`), sumValues(perEx, like, scale), bad);
  }
  const losses = p.examples.map((_, e) => get(tr, `ex${e + 1}.loss`));
  sameValues('loss', get(tr, 'loss'), sumValues(losses, { kind: 'scalar', x: n.zero }, scale), bad);
  p.examples.forEach((ex, e) => {
    const k = e + 1;
    const steps = ex.targets.map((y) => get(tr, `ex${k}.t${y.t}.loss`));
    sameValues(`ex${k}.loss = Σ_t`, get(tr, `ex${k}.loss`), sumValues(steps, { kind: 'scalar', x: n.zero }, null), bad);
  });
  return bad;
}

/** DESIGN §7: the forward ids of a timestep, by cell and convention. */
function forwardIds(cell: CellKind, convention: Convention): string[] {
  switch (cell) {
    case 'rnn':
      return ['x', 'z', 'h'];
    case 'lstm':
      return ['x', 'f_pre', 'i_pre', 'g_pre', 'o_pre', 'f', 'i', 'g', 'o', 'c', 'tanh_c', 'h'];
    case 'gru':
      return ['x', 'r_pre', 'z_pre', 'n_pre', 'r', 'z', 'n', 'h', ...(convention === 'pytorch' ? ['hn'] : [])];
  }
}

/**
 * Section 7 ids at every timestep: forward and backward, head ids only at output steps, and
 * nothing else in a timestep's scope (the cells' intermediates such as v_t = [h; x] or
 * r ⊙ h are shown in the solution but have no id).
 */
function checkIds(p: Problem, tr: Trace): string[] {
  const missing: string[] = [];
  const extra: string[] = [];
  p.examples.forEach((ex, e) => {
    const k = e + 1;
    const outputs = new Set(ex.targets.map((y) => y.t));
    for (let t = 1; t <= ex.inputs.length; t++) {
      const fwd = forwardIds(p.cell, p.convention);
      const ids = [...fwd, ...fwd.map((id) => `d${id}`), ...[...p.params.keys()].map((name) => `d${name}`)];
      const head = ['s', 'yhat', 'loss', 'ds', 'dyhat'];
      const want = new Set(outputs.has(t) ? [...ids, ...head] : ids);
      for (const id of want) if (!tr.quantities.has(`ex${k}.t${t}.${id}`)) missing.push(`ex${k}.t${t}.${id}`);
      const scope = `ex${k}.t${t}.`;
      for (const id of tr.quantities.keys()) if (id.startsWith(scope) && !want.has(id.slice(scope.length))) extra.push(id);
    }
  });
  return [...missing.map((id) => `missing ${id}`), ...extra.map((id) => `unexpected ${id}`)];
}

/**
 * One step of each cell, written from DESIGN §5 with the Numeric primitives only (no engine
 * code): state {h} or {h, c} at t − 1 and x_t → the state at t.
 */
function referenceStep(p: Problem): (x: Vec, st: Record<string, Vec>) => Record<string, Vec> {
  const M = (name: string) => p.params.get(name) as Mat;
  const V = (name: string) => p.params.get(name) as Vec;
  const matvec = (W: Mat, v: Vec) => W.map((row) => n.sum(row.map((w, j) => n.mul(w, v[j]!))));
  const plus = (...vs: Vec[]) => vs[0]!.map((_, i) => n.sum(vs.map((v) => v[i]!)));
  const times = (a: Vec, b: Vec) => a.map((x, i) => n.mul(x, b[i]!));
  const oneMinus = (a: Vec) => a.map((x) => n.sub(n.one, x));
  const sig = (a: Vec) => a.map((v) => n.div(n.one, n.add(n.one, n.exp(n.neg(v)))));
  const tanh = (a: Vec) => a.map((v) => n.tanh(v));
  const H = p.hidden;
  /** rows of gate k of a stacked torch parameter */
  const gate = <T>(xs: T[], k: number) => xs.slice(k * H, (k + 1) * H);
  const torch = (x: Vec, h: Vec) => ({ gi: plus(matvec(M('weight_ih'), x), V('bias_ih')), gh: plus(matvec(M('weight_hh'), h), V('bias_hh')) });
  switch (`${p.cell}/${p.convention}`) {
    case 'rnn/textbook':
      return (x, { h }) => ({ h: tanh(plus(matvec(M('W_xh'), x), matvec(M('W_hh'), h!), V('b_h'))) });
    case 'rnn/pytorch':
      return (x, { h }) => {
        const { gi, gh } = torch(x, h!);
        return { h: tanh(plus(gi, gh)) };
      };
    case 'lstm/textbook':
      return (x, { h, c }) => {
        const v = [...h!, ...x];
        const f = sig(plus(matvec(M('W_f'), v), V('b_f')));
        const i = sig(plus(matvec(M('W_i'), v), V('b_i')));
        const g = tanh(plus(matvec(M('W_c'), v), V('b_c')));
        const o = sig(plus(matvec(M('W_o'), v), V('b_o')));
        const c1 = plus(times(f, c!), times(i, g));
        return { h: times(o, tanh(c1)), c: c1 };
      };
    case 'lstm/pytorch':
      return (x, { h, c }) => {
        const { gi, gh } = torch(x, h!);
        const pre = plus(gi, gh);
        // gate rows i, f, g, o
        const [i, f, g, o] = [sig(gate(pre, 0)), sig(gate(pre, 1)), tanh(gate(pre, 2)), sig(gate(pre, 3))];
        const c1 = plus(times(f, c!), times(i, g));
        return { h: times(o, tanh(c1)), c: c1 };
      };
    case 'gru/textbook':
      return (x, { h }) => {
        const v = [...h!, ...x];
        const z = sig(plus(matvec(M('W_z'), v), V('b_z')));
        const r = sig(plus(matvec(M('W_r'), v), V('b_r')));
        const nn = tanh(plus(matvec(M('W_h'), [...times(r, h!), ...x]), V('b_h')));
        return { h: plus(times(oneMinus(z), h!), times(z, nn)) };
      };
    case 'gru/pytorch':
      return (x, { h }) => {
        const { gi, gh } = torch(x, h!);
        // gate rows r, z, n; the reset multiplies W_hn h + b_hn
        const r = sig(plus(gate(gi, 0), gate(gh, 0)));
        const z = sig(plus(gate(gi, 1), gate(gh, 1)));
        const nn = tanh(plus(gate(gi, 2), times(r, gate(gh, 2))));
        return { h: plus(times(oneMinus(z), nn), times(z, h!)) };
      };
  }
  throw new Error(`no reference for ${p.cell}/${p.convention}`);
}

/**
 * An independent forward pass, written from DESIGN §5 with the Numeric primitives only:
 * the engine's losses must equal it (to rounding), so the finite differences above measure
 * the derivative of the right function.
 */
function referenceLosses(p: Problem): Num[] {
  const P = (name: string) => p.params.get(name)!;
  const matvec = (W: Mat, v: Vec) => W.map((row) => n.sum(row.map((w, j) => n.mul(w, v[j]!))));
  const plus = (a: Vec, b: Vec) => a.map((x, i) => n.add(x, b[i]!));
  const step = referenceStep(p);
  return p.examples.map((ex) => {
    let st: Record<string, Vec> = Object.fromEntries([...p.initial].map(([name, v]) => [name.replace(/0$/, ''), v.value]));
    let L = n.zero;
    ex.inputs.forEach((x, i) => {
      st = step(x, st);
      const h = st.h!;
      const target = ex.targets.find((y) => y.t === i + 1);
      if (!target) return;
      const s = plus(matvec(P('W_hy') as Mat, h), P('b_y') as Vec);
      let yhat: Vec;
      if (p.head.activation === 'identity') yhat = s;
      else if (p.head.activation === 'sigmoid') yhat = s.map((v) => n.div(n.one, n.add(n.one, n.exp(n.neg(v)))));
      else {
        const e = s.map((v) => n.exp(v));
        const total = n.sum(e);
        yhat = e.map((v) => n.div(v, total));
      }
      const y = target.target;
      let l: Num;
      if (p.head.loss === 'mse') l = n.mul(n.exact('0.5'), n.sum(yhat.map((v, k) => n.mul(n.sub(v, y[k]!), n.sub(v, y[k]!)))));
      else if (p.head.loss === 'cross_entropy') l = n.neg(n.sum(yhat.map((v, k) => (y[k]!.v.isZero() ? n.zero : n.mul(y[k]!, n.log(v))))));
      else
        l = n.neg(
          n.sum(
            yhat.map((v, k) => {
              const a = y[k]!.v.isZero() ? n.zero : n.mul(y[k]!, n.log(v));
              const q = n.sub(n.one, y[k]!);
              const b = q.v.isZero() ? n.zero : n.mul(q, n.log(n.sub(n.one, v)));
              return n.add(a, b);
            }),
          ),
        );
      L = n.add(L, l);
    });
    return L;
  });
}

function checkForward(p: Problem, tr: Trace): string[] {
  const bad: string[] = [];
  referenceLosses(p).forEach((L, e) => {
    const got = scalarOf(tr, `ex${e + 1}.loss`);
    if (!close(got, L, n.parse('1e-58'), n.parse('1e-60'))) bad.push(`ex${e + 1}.loss: engine ${n.toString(got)}, reference ${n.toString(L)}`);
  });
  return bad;
}

// ---------------------------------------------------------------------------------------
// random problems

/** mulberry32: a small seeded PRNG, so every run checks the same problems. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return {
    int,
    pick: <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!,
    /** a short decimal such as -0.37, 0.5 or 0.125, never 0 */
    dec(maxAbs = 0.9): string {
      const places = int(1, 3);
      const scale = 10 ** places;
      const lim = Math.round(maxAbs * scale);
      let m = 0;
      while (m === 0) m = int(-lim, lim);
      return (m / scale).toFixed(places);
    },
  };
}
type Rng = ReturnType<typeof prng>;

interface Spec {
  name: string;
  seed: number;
  activation: 'sigmoid' | 'softmax' | 'identity';
  loss: 'bce' | 'cross_entropy' | 'mse';
  O: number;
  outputAt: 'last' | 'every';
  reduction: 'sum' | 'mean';
  /** what the examples read: all text, all raw inputs, or some of each */
  data: 'text' | 'inputs' | 'mixed';
  examples: number;
  h0: boolean;
  /** rnn unless given */
  cell?: CellKind;
  /** textbook unless given */
  convention?: Convention;
  /** lstm: a given c0 */
  c0?: boolean;
  /** torch's layer-0 names: weight_ih_l0, W_f_l0, h0_l0, ... */
  l0?: boolean;
  /** cross_entropy targets */
  ceTarget?: 'index' | 'probs';
  H: number;
  D: number;
  learningRate?: string;
}

const vecText = (xs: string[]) => `[${xs.join(', ')}]`;
const rvec = (r: Rng, len: number, maxAbs?: number) => vecText(Array.from({ length: len }, () => r.dec(maxAbs)));
const rmat = (r: Rng, rows: number, cols: number) => `[${Array.from({ length: rows }, () => rvec(r, cols)).join(', ')}]`;

function target(r: Rng, s: Spec): string {
  switch (s.loss) {
    case 'bce': {
      const one = () => r.pick(['0', '1', '0.25', '0.7', '1/3', '0.9']);
      const y = Array.from({ length: s.O }, one);
      return s.O === 1 && r.int(0, 1) === 0 ? (y[0]!.includes('/') ? `"${y[0]}"` : y[0]!) : vecText(y.map((v) => (v.includes('/') ? `"${v}"` : v)));
    }
    case 'cross_entropy': {
      if (s.ceTarget === 'index') return String(r.int(0, s.O - 1));
      // integer weights summing to 20, as exact decimals summing to exactly 1
      const w = Array.from({ length: s.O }, () => 0);
      for (let i = 0; i < 20; i++) w[r.int(0, s.O - 1)]! += 1;
      return vecText(w.map((k) => String(k / 20)));
    }
    case 'mse':
      return s.O === 1 && r.int(0, 1) === 0 ? r.dec(1) : rvec(r, s.O, 1);
  }
}

function problemText(s: Spec): string {
  const r = prng(s.seed);
  const vocab = ['the', 'cat', 'sat', 'mat', 'on'].slice(0, 4);
  const lines: string[] = [];
  lines.push(`title: "random ${s.name}"`);
  const cell = s.cell ?? 'rnn';
  const convention = s.convention ?? 'textbook';
  lines.push(`model: { cell: ${cell}, hidden_size: ${s.H}${s.convention ? `, convention: ${convention}` : ''} }`);
  if (s.data !== 'inputs') {
    lines.push('embeddings:');
    for (const w of vocab) lines.push(`  ${w}: ${rvec(r, s.D)}`);
  }
  lines.push('params:');
  const l0 = (name: string) => (s.l0 ? `${name}_l0` : name);
  if (convention === 'pytorch') {
    // torch.nn state dict: the gates stacked in the rows (rnn 1, gru 3: r z n, lstm 4: i f g o)
    const k = { rnn: 1, gru: 3, lstm: 4 }[cell];
    lines.push(`  ${l0('weight_ih')}: ${rmat(r, k * s.H, s.D)}`);
    lines.push(`  ${l0('weight_hh')}: ${rmat(r, k * s.H, s.H)}`);
    lines.push(`  ${l0('bias_ih')}: ${rvec(r, k * s.H, 0.5)}`);
    lines.push(`  ${l0('bias_hh')}: ${rvec(r, k * s.H, 0.5)}`);
  } else if (cell === 'rnn') {
    lines.push(`  ${l0('W_xh')}: ${rmat(r, s.H, s.D)}`);
    lines.push(`  ${l0('W_hh')}: ${rmat(r, s.H, s.H)}`);
    lines.push(`  ${l0('b_h')}: ${rvec(r, s.H, 0.5)}`);
  } else {
    // textbook gates: W H×(H+D) acting on [h; x], and a bias
    const gates = cell === 'lstm' ? ['f', 'i', 'c', 'o'] : ['z', 'r', 'h'];
    for (const k of gates) {
      lines.push(`  ${l0(`W_${k}`)}: ${rmat(r, s.H, s.H + s.D)}`);
      lines.push(`  ${l0(`b_${k}`)}: ${rvec(r, s.H, 0.5)}`);
    }
  }
  lines.push(`  W_hy: ${rmat(r, s.O, s.H)}`);
  lines.push(`  b_y: ${rvec(r, s.O, 0.5)}`);
  lines.push(`head: { activation: ${s.activation}, loss: ${s.loss}, output_at: ${s.outputAt} }`);
  lines.push('data:');
  for (let e = 0; e < s.examples; e++) {
    const T = r.int(e === 0 ? 2 : 1, 4);
    const asText = s.data === 'text' || (s.data === 'mixed' && e % 2 === 0);
    if (asText) {
      // the first token comes back at least once when T > 1 (repeated tokens); the last
      // vocabulary word is never used (its gradient must be exactly zero)
      const words = Array.from({ length: T }, (_, t) => (t === T - 1 && T > 1 ? 'the' : r.pick(vocab.slice(0, 3))));
      words[0] = 'the';
      lines.push(`  - text: "${words.join(' ')}"`);
    } else {
      lines.push(`  - inputs: [${Array.from({ length: T }, () => rvec(r, s.D)).join(', ')}]`);
    }
    if (s.outputAt === 'last') lines.push(`    target: ${target(r, s)}`);
    else lines.push(`    target: [${Array.from({ length: T }, () => target(r, s)).join(', ')}]`);
  }
  const init = [...(s.h0 ? [`${l0('h0')}: ${rvec(r, s.H)}`] : []), ...(s.c0 ? [`${l0('c0')}: ${rvec(r, s.H, 2)}`] : [])];
  if (init.length) lines.push(`initial_state: { ${init.join(', ')} }`);
  lines.push(`training: { reduction: ${s.reduction}${s.learningRate ? `, learning_rate: ${s.learningRate}` : ''} }`);
  return lines.join('\n') + '\n';
}

const specs: Spec[] = [
  { name: 'sigmoid+bce O=1, last, sum, text', seed: 11, activation: 'sigmoid', loss: 'bce', O: 1, outputAt: 'last', reduction: 'sum', data: 'text', examples: 2, h0: false, H: 3, D: 2, learningRate: '0.5' },
  { name: 'sigmoid+bce O=2, every, mean, inputs, h0', seed: 12, activation: 'sigmoid', loss: 'bce', O: 2, outputAt: 'every', reduction: 'mean', data: 'inputs', examples: 2, h0: true, H: 2, D: 3 },
  { name: 'softmax+cross_entropy class index, every, sum, text, h0', seed: 13, activation: 'softmax', loss: 'cross_entropy', O: 3, outputAt: 'every', reduction: 'sum', data: 'text', examples: 2, h0: true, ceTarget: 'index', H: 2, D: 2 },
  { name: 'softmax+cross_entropy probabilities, last, mean, mixed, 3 examples', seed: 14, activation: 'softmax', loss: 'cross_entropy', O: 3, outputAt: 'last', reduction: 'mean', data: 'mixed', examples: 3, h0: false, ceTarget: 'probs', H: 2, D: 2 },
  { name: 'identity+mse O=2, every, sum, inputs', seed: 15, activation: 'identity', loss: 'mse', O: 2, outputAt: 'every', reduction: 'sum', data: 'inputs', examples: 2, h0: false, H: 3, D: 1 },
  { name: 'sigmoid+mse O=1, last, mean, text, h0', seed: 16, activation: 'sigmoid', loss: 'mse', O: 1, outputAt: 'last', reduction: 'mean', data: 'text', examples: 3, h0: true, H: 1, D: 3 },
  { name: 'softmax+mse O=2, every, mean, mixed', seed: 17, activation: 'softmax', loss: 'mse', O: 2, outputAt: 'every', reduction: 'mean', data: 'mixed', examples: 2, h0: true, H: 2, D: 2, learningRate: '1/4' },
];

/** Every head/loss pair the validator accepts. */
const COMBOS = [
  ['sigmoid', 'bce'],
  ['softmax', 'cross_entropy'],
  ['identity', 'mse'],
  ['sigmoid', 'mse'],
  ['softmax', 'mse'],
] as const;

/** A random spec: the head/loss pair by turns (seed mod 5), sizes and options drawn from the seed. */
function randomSpec(seed: number): Spec {
  const r = prng(seed * 7919);
  const [activation, loss] = COMBOS[seed % COMBOS.length]!;
  const spec: Spec = {
    name: '',
    seed,
    activation,
    loss,
    O: r.int(1, 3),
    outputAt: r.pick(['last', 'every'] as const),
    reduction: r.pick(['sum', 'mean'] as const),
    data: r.pick(['text', 'inputs', 'mixed'] as const),
    examples: r.int(1, 3),
    h0: r.int(0, 1) === 1,
    H: r.int(1, 3),
    D: r.int(1, 3),
  };
  if (spec.data === 'mixed') spec.examples = Math.max(spec.examples, 2);
  if (loss === 'cross_entropy') spec.ceTarget = r.pick(['index', 'probs'] as const);
  spec.name = `seed ${seed}: ${activation}+${loss} O=${spec.O}${spec.ceTarget ? ` (${spec.ceTarget})` : ''}, ${spec.outputAt}, ${spec.reduction}, ${spec.data}, ${spec.examples} example(s), H=${spec.H}, D=${spec.D}${spec.h0 ? ', h0' : ''}`;
  return spec;
}

/**
 * Every cell in every convention other than the textbook RNN above, two problems each,
 * between them: every head/loss pair, every data kind, output_at last and every, sum and
 * mean, a given h0 (and c0), torch's `_l0` names, a learning rate, H = 1 and 3.
 */
const cellSpecs: (Spec & { cell: CellKind; convention: Convention })[] = [
  { name: 'sigmoid+bce O=1, last, sum, text, h0, _l0 names', cell: 'rnn', convention: 'pytorch', seed: 21, activation: 'sigmoid', loss: 'bce', O: 1, outputAt: 'last', reduction: 'sum', data: 'text', examples: 2, h0: true, l0: true, H: 2, D: 2, learningRate: '0.1' },
  { name: 'softmax+cross_entropy class index, every, mean, inputs', cell: 'rnn', convention: 'pytorch', seed: 22, activation: 'softmax', loss: 'cross_entropy', O: 3, outputAt: 'every', reduction: 'mean', data: 'inputs', examples: 2, h0: false, ceTarget: 'index', H: 3, D: 1 },
  { name: 'sigmoid+bce O=2, every, sum, mixed, h0 and c0', cell: 'lstm', convention: 'textbook', seed: 31, activation: 'sigmoid', loss: 'bce', O: 2, outputAt: 'every', reduction: 'sum', data: 'mixed', examples: 2, h0: true, c0: true, H: 2, D: 2 },
  { name: 'identity+mse O=1, last, mean, text, H=1', cell: 'lstm', convention: 'textbook', seed: 32, activation: 'identity', loss: 'mse', O: 1, outputAt: 'last', reduction: 'mean', data: 'text', examples: 2, h0: false, H: 1, D: 3 },
  { name: 'softmax+cross_entropy probabilities, last, sum, text, h0_l0 and c0_l0, _l0 names', cell: 'lstm', convention: 'pytorch', seed: 41, activation: 'softmax', loss: 'cross_entropy', O: 2, outputAt: 'last', reduction: 'sum', data: 'text', examples: 2, h0: true, c0: true, l0: true, ceTarget: 'probs', H: 2, D: 2, learningRate: '1/4' },
  { name: 'sigmoid+mse O=2, every, mean, inputs, c0 only', cell: 'lstm', convention: 'pytorch', seed: 42, activation: 'sigmoid', loss: 'mse', O: 2, outputAt: 'every', reduction: 'mean', data: 'inputs', examples: 2, h0: false, c0: true, H: 3, D: 1 },
  { name: 'softmax+mse O=2, every, sum, text, h0, _l0 names', cell: 'gru', convention: 'textbook', seed: 51, activation: 'softmax', loss: 'mse', O: 2, outputAt: 'every', reduction: 'sum', data: 'text', examples: 2, h0: true, l0: true, H: 2, D: 3 },
  { name: 'sigmoid+bce O=1, last, mean, inputs', cell: 'gru', convention: 'textbook', seed: 52, activation: 'sigmoid', loss: 'bce', O: 1, outputAt: 'last', reduction: 'mean', data: 'inputs', examples: 2, h0: false, H: 3, D: 2 },
  { name: 'identity+mse O=2, every, mean, mixed, h0', cell: 'gru', convention: 'pytorch', seed: 61, activation: 'identity', loss: 'mse', O: 2, outputAt: 'every', reduction: 'mean', data: 'mixed', examples: 2, h0: true, H: 2, D: 2 },
  { name: 'softmax+cross_entropy class index, last, sum, text, H=3, D=3', cell: 'gru', convention: 'pytorch', seed: 62, activation: 'softmax', loss: 'cross_entropy', O: 3, outputAt: 'last', reduction: 'sum', data: 'text', examples: 2, h0: false, ceTarget: 'index', H: 3, D: 3, learningRate: '0.05' },
];

// ---------------------------------------------------------------------------------------

function fullCheck(p: Problem, withInputs: boolean, evaluate: Evaluate = engineLosses) {
  const tr = run(p);
  expect(checkIds(p, tr), 'section 7 ids').toEqual([]);
  expect(checkForward(p, tr), 'engine loss vs an independent forward pass').toEqual([]);
  expect(checkSums(p, tr), 'per-example and batch sums').toEqual([]);
  const entries = [...paramEntries(p), ...embeddingEntries(p), ...(withInputs ? inputEntries(p) : [])];
  const report = gradcheck(p, entries, undefined, evaluate);
  expect(report.bad, 'finite differences vs engine gradients').toEqual([]);
  // every entry was checked against the batch gradient (when it has one) and each example
  const expected = entries.reduce((acc, e) => acc + (e.batch ? 1 : 0) + p.examples.length, 0);
  expect(report.checked).toBe(expected);
  expect(report.worst).toBeLessThan(1e-20);
  return tr;
}

/** One random problem of a spec: generated, loaded, then every check of fullCheck, and the update. */
function randomProblem(s: Spec, evaluate: Evaluate = engineLosses): void {
  const text = problemText(s);
  const p = validate(parseSource(text, `${s.seed}.yaml`), `${s.seed}.yaml`, n);
  // the generator produced what the spec asks for
  expect(p.head).toEqual({ activation: s.activation, loss: s.loss, outputAt: s.outputAt });
  expect(p.outputDim).toBe(s.O);
  expect(p.examples).toHaveLength(s.examples);
  expect(p.training.reduction).toBe(s.reduction);
  expect([p.cell, p.convention]).toEqual([s.cell ?? 'rnn', s.convention ?? 'textbook']);
  expect(p.initial.get('h0')!.given).toBe(s.h0);
  if (p.cell === 'lstm') expect(p.initial.get('c0')!.given).toBe(s.c0 ?? false);
  // torch's `_l0` names are kept for display, and dropped in the ids
  expect([...p.paramNames.values()].filter((name) => name.endsWith('_l0')).length).toBe(s.l0 ? p.params.size - 2 : 0);
  expect(p.examples.some((e) => e.tokens)).toBe(s.data !== 'inputs');
  expect(p.examples.some((e) => !e.tokens)).toBe(s.data !== 'text');
  if (s.data !== 'inputs') {
    expect(p.examples[0]!.tokens!.filter((w) => w === 'the').length).toBeGreaterThan(1);
  }
  for (const ex of p.examples) expect(ex.targets.map((y) => y.t)).toEqual(s.outputAt === 'every' ? ex.inputs.map((_, t) => t + 1) : [ex.inputs.length]);
  if (s.ceTarget) expect(p.examples.every((e) => e.targets.every((y) => (y.targetIndex !== null) === (s.ceTarget === 'index')))).toBe(true);

  const tr = fullCheck(p, true, evaluate);

  if (s.data !== 'inputs') {
    // the unused vocabulary word gets an exact zero gradient
    expect(flat(get(tr, 'grad.emb.mat')).every((x) => x.v.isZero())).toBe(true);
  }
  if (s.learningRate) {
    const lr = n.parse(s.learningRate);
    const bad: string[] = [];
    for (const [name, v] of p.params) {
      const before: Value = Array.isArray(v[0]) ? { kind: 'mat', x: v as Mat } : { kind: 'vec', x: v as Vec };
      const g = flat(get(tr, `grad.${name}`));
      const want = flat(before).map((x, i) => n.sub(x, n.mul(lr, g[i]!)));
      sameValues(`update.${name}`, get(tr, `update.${name}`), reshape(before, want), bad);
    }
    expect(bad).toEqual([]);
  }
}

describe('finite-difference gradient check at 64 digits', () => {
  it('the checker itself rejects a wrong gradient', () => {
    const p = loadProblem(join(ROOT, 'fixtures', 'seed-rnn-sentiment.yaml'), n);
    const entries = paramEntries(p).filter((e) => e.label === 'b_y[1]');
    expect(entries).toHaveLength(1);
    // the wrong gradient: claim ∂L/∂b_y is ∂L/∂W_hy[1][1]
    const wrong: Entry = { ...entries[0]!, batch: ['grad.W_hy', 0], perExample: (k) => [`ex${k}.dW_hy`, 0] };
    const report = gradcheck(p, [wrong]);
    expect(report.bad.length).toBe(3);
    // the right gradient off by one part in 1e18
    const nudged = gradcheck(p, entries, (tr) => {
      const g = tr.quantities.get('grad.b_y')!;
      if (g.kind !== 'vec') throw new Error('grad.b_y is not a vector');
      tr.quantities.set('grad.b_y', { kind: 'vec', x: [n.mul(g.x[0]!, n.parse('1.000000000000000001'))] });
    });
    expect(nudged.bad).toHaveLength(1);
    expect(nudged.bad[0]).toMatch(/^b_y\[1\] vs grad\.b_y: finite difference 0\.3634634929540/);
    const ok = gradcheck(p, entries);
    expect(ok.bad).toEqual([]);
    expect(ok.checked).toBe(3);
  }, 20_000);

  it('seed problem: every parameter and every embedding entry', () => {
    const p = loadProblem(join(ROOT, 'fixtures', 'seed-rnn-sentiment.yaml'), n);
    expect([...p.params.keys()]).toEqual(['W_xh', 'W_hh', 'b_h', 'W_hy', 'b_y']);
    expect(p.embeddings.size).toBe(7);
    const tr = fullCheck(p, false);
    // the seed's known gradient, to the digits of the reference (sanity: not all zeros)
    expect(n.toString(flat(get(tr, 'grad.b_y'))[0]!).slice(0, 16)).toBe('0.36346349295401');
  }, 30_000);

  for (const s of [...specs, ...Array.from({ length: 10 }, (_, i) => randomSpec(101 + i))]) {
    it(`random problem: ${s.name}`, () => randomProblem(s), 30_000);
  }

  // the gated cells: the differences are taken of the independent forward pass (cheaper than
  // a whole solve; checkForward shows it is the engine's function)
  for (const s of cellSpecs) {
    it(`random ${s.cell} (${s.convention}) problem: ${s.name}`, () => randomProblem(s, referenceEval), 30_000);
  }
});
