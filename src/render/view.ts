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
import { delta, mathText, paramSymbol, quantitySymbol } from './latex.js';

export type Detail = 'full' | 'standard' | 'brief';

export interface Row {
  label: string;
  terms: [Num, Num][];
  value: Num;
}

/** One element of a worked solution; `partial` names the template that draws it. */
export type Block =
  | { partial: 'given'; id: string; lhs: string; token: string | null; value: Vec; t: number }
  | { partial: 'matvec'; id: string | null; assign: string | null; lhs: string; M: Mat; v: Vec; value: Vec; rows: Row[]; transpose: boolean; note: string | null }
  | { partial: 'vecsum'; id: string; lhs: string; rhs: string; parts: Vec[]; value: Vec; notes: string[] }
  | { partial: 'activation'; fn: 'tanh' | 'sigmoid' | 'identity'; id: string; lhs: string; argSym: string; arg: Vec; value: Vec; entries: { lhs: string; arg: Num; value: Num }[] }
  | { partial: 'softmax'; id: string; lhs: string; argSym: string; arg: Vec; exps: Vec; total: Num; value: Vec; entries: { lhs: string; exp: Num; value: Num }[] }
  | { partial: 'loss'; loss: string; id: string; lhs: string; yhatSym: string; classSym: string | null; yhat: Vec; y: Vec; targetIndex: number | null; value: Num; single: boolean; entries: { yhat: Num; y: Num; logP: Num | null; logQ: Num | null }[]; pieceValues: Num[] }
  | { partial: 'dloss'; loss: string; id: string; lhs: string; yhatSym: string; value: Vec; entries: { lhs: string; yhat: Num; y: Num; value: Num }[] }
  | { partial: 'dactivation'; fn: 'tanh' | 'sigmoid' | 'identity'; id: string; lhs: string; gSym: string; ySym: string; g: Vec; y: Vec; value: Vec; entries: { lhs: string; gLhs: string; yLhs: string; g: Num; y: Num; value: Num; target: Num | null }[]; simplifies: string | null }
  | { partial: 'dsoftmax'; id: string; lhs: string; gSym: string; ySym: string; g: Vec; y: Vec; dot: Num; value: Vec; entries: { lhs: string; gLhs: string; yLhs: string; g: Num; y: Num; value: Num; target: Num | null }[]; simplifies: string | null; dotTerms: [Num, Num][] }
  | { partial: 'outer'; id: string; lhs: string; gSym: string; vSym: string; g: Vec; v: Vec; value: Mat; cells: { row: [Num, Num][] }[] }
  | { partial: 'copy'; id: string; lhs: string; gSym: string; value: Vec }
  | { partial: 'zeros'; items: { lhs: string; id: string }[]; reason: string }
  | { partial: 'total'; id: string; lhs: string; terms: { label: string; value: Value }[]; values: Value[]; scaleN: number | null; value: Value; lines: { label: string; value: Value }[][]; note: string | null }
  | { partial: 'update'; id: string; lhs: string; sym: string; before: Value; lr: Num; grad: Value; gradSym: string; value: Value };

export interface TimestepView {
  t: number;
  token: string | null;
  blocks: Block[];
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
  /** rows of the per-timestep table (brief detail and the summary) */
  table: { t: number; token: string | null; cells: Record<string, Vec | null> }[];
}

export interface ParamView {
  name: string;
  sym: string;
  shape: string;
  value: Value;
  role: ParamInfo['role'];
}

export interface SolutionView {
  title: string | null;
  source: string;
  decimals: number;
  precision: number;
  detail: Detail;
  full: boolean;
  brief: boolean;
  H: number;
  D: number;
  O: number;
  T: number;
  cell: Trace['cell'];
  head: Trace['head'];
  headSingle: boolean;
  vocabulary: { token: string; value: Vec }[];
  params: ParamView[];
  paramCount: { H: number; D: number; O: number; total: number; embeddings: number | null };
  initial: { sym: string; value: Vec; given: boolean }[];
  training: Trace['training'] & { examples: number };
  examples: ExampleView[];
  batch: { loss: Block; grads: Block[]; embGrads: Block[]; updates: Block[]; lr: Num | null };
  quantityCount: number;
}

/** Symbol of a forward quantity id such as `ex1.t3.h` (or `ex1.loss`). */
function idSymbol(id: string, entry?: number): string {
  const m = /^ex\d+\.(?:t(\d+)\.)?(\w+)$/.exec(id);
  if (!m) return `\\mathrm{${id}}`;
  return quantitySymbol(m[2]!, m[1] ? Number(m[1]) : null, entry);
}

/** Symbol of a gradient id: `ex1.t3.dz` → δz_3 */
const gradSymbol = (id: string): string => delta(idSymbol(id.replace(/\.d(\w+)$/, '.$1')));

/** Symbol of an operand. */
function argSymbol(a: Arg): string {
  switch (a.kind) {
    case 'step':
      return idSymbol(a.id);
    case 'param':
      return paramSymbol(a.name);
    case 'const':
      return `${a.label[0]}_{${a.label.slice(1)}}`;
  }
}

const isExactZero = (v: Value): boolean =>
  v.kind === 'scalar' ? v.x.exact && v.x.v.isZero() : v.kind === 'vec' ? v.x.every((x) => x.exact && x.v.isZero()) : v.x.every((r) => r.every((x) => x.exact && x.v.isZero()));
const vecOf = (v: Value): Vec => (v.kind === 'vec' ? v.x : v.kind === 'scalar' ? [v.x] : []);
const transpose = (m: Mat): Mat => (m[0] ?? []).map((_, j) => m.map((r) => r[j]!));

/** `δW_{xh}^{[t=3]}`: the part of ∂L/∂W_xh contributed at timestep 3 */
const contribSym = (name: string, t: number) => `\\delta ${paramSymbol(name)}^{[t=${t}]}`;

export function buildView(trace: Trace, opts: { decimals: number; detail: Detail }): SolutionView {
  const paramValue = new Map(trace.params.map((p) => [p.name, p.value]));
  const q = trace.quantities;
  const val = (id: string): Value => {
    const v = q.get(id);
    if (!v) throw new Error(`no quantity ${id}`);
    return v;
  };
  const argValue = (a: Arg): Value => (a.kind === 'step' ? val(a.id) : a.kind === 'const' ? a.value : paramValue.get(a.name)!);
  const O = trace.outputDim;
  const headSingle = O === 1;
  /** entry symbols: ŷ_{6} rather than ŷ_{6,1} when the head has one output */
  const entrySym = (id: string, i: number, single: boolean) => idSymbol(id, single ? undefined : i + 1);
  const isHeadId = (id: string) => /\.(s|yhat)$/.test(id);
  const entries = (id: string) => (i: number) => entrySym(id, i, isHeadId(id) && headSingle);

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
    const lhs = idSymbol(s.id);
    switch (s.op) {
      case 'embed':
      case 'input':
        return [{ partial: 'given', id: s.id, lhs, token: s.op === 'embed' ? s.token : null, value: vecOf(s.value), t: s.scope.t! }];
      case 'affine': {
        const blocks: Block[] = s.terms.map((term) => {
          const label = `${argSymbol(term.W)} ${argSymbol(term.v)}`;
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
            note: zero ? `$${argSymbol(term.v)}$ is the zero vector, so this product is zero.` : null,
          };
        });
        const rhs = [...s.terms.map((t) => `${argSymbol(t.W)} ${argSymbol(t.v)}`), ...s.biases.map(argSymbol)].join(' + ');
        blocks.push({
          partial: 'vecsum',
          id: s.id,
          lhs,
          rhs,
          parts: [...s.terms.map((t) => t.product), ...s.biases.map((b) => vecOf(argValue(b)))],
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
        return [{ partial: 'activation', fn: s.op, id: s.id, lhs, argSym: argSymbol(s.arg), arg, value: y, entries: y.map((v, i) => ({ lhs: e(i), arg: arg[i]!, value: v })) }];
      }
      case 'softmax': {
        const arg = vecOf(argValue(s.arg));
        const y = vecOf(s.value);
        const e = entries(s.id);
        return [{ partial: 'softmax', id: s.id, lhs, argSym: argSymbol(s.arg), arg, exps: s.softmax!.exps, total: s.softmax!.total, value: y, entries: y.map((v, i) => ({ lhs: e(i), exp: s.softmax!.exps[i]!, value: v })) }];
      }
      case 'loss': {
        const yhat = vecOf(argValue(s.yhat));
        return [{
          partial: 'loss',
          loss: s.loss,
          id: s.id,
          lhs,
          yhatSym: argSymbol(s.yhat),
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
        const label = `${argSymbol(c.W)}^\\top ${gradSymbol(c.grad)}`;
        return [{ partial: 'matvec', id, assign, lhs: label, M, v: g, value: vecOf(c.value), rows: matvecRows(label, M, g, vecOf(c.value)), transpose: true, note: null }];
      }
      case 'outer': {
        const g = vecOf(val(c.grad));
        const v = vecOf(argValue(c.v));
        const value = (c.value as { x: Mat }).x;
        return [{
          partial: 'outer',
          id: id ?? '',
          lhs: assign ?? '',
          gSym: gradSymbol(c.grad),
          vSym: argSymbol(c.v),
          g,
          v,
          value,
          cells: g.map((gi) => ({ row: v.map((vj): [Num, Num] => [gi, vj]) })),
        }];
      }
      case 'copy':
        return [{ partial: 'copy', id: id ?? '', lhs: assign ?? '', gSym: gradSymbol(c.grad), value: vecOf(c.value) }];
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
          id: id ?? '',
          lhs: assign ?? '',
          gSym: delta(idSymbol(c.from)),
          ySym: idSymbol(c.from),
          g,
          y,
          value: vecOf(c.value),
          entries: vecOf(c.value).map((v, i) => ({ lhs: delta(e(i)), g: g[i]!, y: y[i]!, value: v, gLhs: delta(ge(i)), yLhs: ge(i), target: targetOf.get(c.from)?.[i] ?? null })),
        };
        if (c.rule === 'softmax') {
          return [{ partial: 'dsoftmax', ...common, dot: c.dot, dotTerms: y.map((yi, i): [Num, Num] => [yi, g[i]!]), simplifies: trace.head.loss === 'cross_entropy' ? 'cross_entropy' : null }];
        }
        return [{ partial: 'dactivation', fn: c.rule, ...common, simplifies: c.rule === 'sigmoid' && trace.head.loss === 'bce' && isHeadId(c.from) ? 'bce' : null }];
      }
      case 'loss': {
        const yhat = vecOf(val(c.yhat));
        const e = entries(c.yhat);
        return [{
          partial: 'dloss',
          loss: c.loss,
          id: id ?? '',
          lhs: assign ?? '',
          yhatSym: idSymbol(c.yhat),
          value: vecOf(c.value),
          entries: vecOf(c.value).map((v, k) => ({ lhs: delta(e(k)), yhat: yhat[k]!, y: c.target[k]!, value: v })),
        }];
      }
      case 'sum':
        return [];
    }
  };

  const backwardOfExample = (e: ExampleTrace): TimestepView[] => {
    const views: TimestepView[] = [];
    for (let t = e.length; t >= 1; t--) {
      const nodes = e.backward.filter((b) => b.kind === 'node' && b.scope.t === t);
      const params = e.backward.filter((b) => b.kind === 'param' && b.scope.t === t);
      const blocks: Block[] = [];
      for (const G of nodes) {
        blocks.push(...nodeGradBlocks(G, t, e));
        // the parameter contributions this gradient produces, right after it
        for (const P of params) {
          const own = P.parts.filter((c) => 'grad' in c && c.grad === G.id);
          if (own.length === 0) continue;
          if (P.parts.length === 1) blocks.push(...contributionBlocks(own[0]!, contribSym(P.of, t), P.id));
          else own.forEach((c) => blocks.push(...contributionBlocks(c, `${contribSym(P.of, t)}\\ \\text{(part)}`, null)));
        }
      }
      for (const P of params.filter((p) => p.parts.length > 1)) {
        blocks.push({
          partial: 'total',
          id: P.id,
          lhs: contribSym(P.of, t),
          terms: P.parts.map((c) => ({ label: '', value: c.value })),
          values: P.parts.map((c) => c.value),
          scaleN: null,
          value: P.value,
          lines: [P.parts.map((c) => ({ label: '', value: c.value }))],
          note: null,
        });
      }
      const unused = params.filter((p) => p.parts.length === 0);
      if (unused.length) {
        blocks.push({
          partial: 'zeros',
          items: unused.map((p) => ({ lhs: contribSym(p.of, t), id: p.id })),
          reason: e.targets.some((y) => y.t === t) ? 'these parameters are not used at this timestep' : `there is no output at $t = ${t}$`,
        });
      }
      views.push({ t, token: e.tokens?.[t - 1] ?? null, blocks });
    }
    return views;
  };

  const nodeGradBlocks = (G: GradStep, t: number, e: ExampleTrace): Block[] => {
    const sym = delta(idSymbol(G.of));
    if (G.parts.length === 1 && !/\.h$/.test(G.of)) return contributionBlocks(G.parts[0]!, sym, G.id);
    // a state: the part through this timestep's own consumers first, then from the future
    const parts = [...G.parts].sort((a, b) => scopeT(a.from) - scopeT(b.from));
    const blocks: Block[] = [];
    const notes: string[] = [];
    const hasOutput = e.targets.some((y) => y.t === t);
    if (!hasOutput) notes.push(`There is no output at $t = ${t}$, so nothing reaches $${idSymbol(G.of)}$ from the head.`);
    if (t === e.length) notes.push(`$t = ${t}$ is the last timestep: nothing flows back from the future.`);
    if (parts.length === 1) {
      blocks.push(...contributionBlocks(parts[0]!, sym, G.id));
      const first = blocks[0];
      if (first && first.partial === 'matvec') first.note = notes.join(' ') || null;
      return blocks;
    }
    for (const c of parts) blocks.push(...contributionBlocks(c, null, null));
    blocks.push({
      partial: 'vecsum',
      id: G.id,
      lhs: sym,
      rhs: parts.map((c) => (c.rule === 'matvecT' ? `${argSymbol(c.W)}^\\top ${gradSymbol(c.grad)}` : '')).join(' + '),
      parts: parts.map((c) => vecOf(c.value)),
      value: vecOf(G.value),
      notes,
    });
    return blocks;
  };

  const scopeT = (id: string) => Number(/\.t(\d+)\./.exec(id)?.[1] ?? 0);

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

  const examples: ExampleView[] = trace.examples.map((e) => {
    const forward: TimestepView[] = [];
    for (let t = 1; t <= e.length; t++) {
      forward.push({ t, token: e.tokens?.[t - 1] ?? null, blocks: e.forward.filter((s) => s.scope.t === t).flatMap(forwardBlocks) });
    }
    const L = `L^{(${e.index})}`;
    const totals = e.paramTotals.map((tot) => {
      const name = tot.id.slice(`ex${e.index}.d`.length);
      return totalBlock(tot, `\\frac{\\partial ${L}}{\\partial ${paramSymbol(name)}}`, (id) => `t=${scopeT(id)}`, perLine(tot.value), 'the parameter is not used there');
    });
    const embTotals = e.embTotals.map((tot) => {
      const tok = tot.id.slice(`ex${e.index}.demb.`.length);
      return totalBlock(tot, `\\frac{\\partial ${L}}{\\partial e(${mathText(tok)})}`, (id) => `\\delta x_{${scopeT(id)}}`, perLine(tot.value), 'no gradient reaches it');
    });
    const table = Array.from({ length: e.length }, (_, i) => {
      const t = i + 1;
      const get = (name: string) => q.get(`ex${e.index}.t${t}.${name}`);
      const cells: Record<string, Vec | null> = {};
      for (const name of ['x', 'z', 'h', 's', 'yhat', 'loss', 'dh', 'dz', 'dx']) {
        const v = get(name);
        cells[name] = v ? vecOf(v) : null;
      }
      return { t, token: e.tokens?.[i] ?? null, cells };
    });
    return {
      index: e.index,
      tokens: e.tokens,
      text: e.tokens ? e.tokens.join(' ') : null,
      length: e.length,
      targets: e.targets,
      lossId: e.loss,
      loss: (val(e.loss) as { x: Num }).x,
      lossTerms: e.targets.map((y) => ({ sym: quantitySymbol('loss', y.t), value: (val(`ex${e.index}.t${y.t}.loss`) as { x: Num }).x })),
      lossValues: e.targets.map((y) => (val(`ex${e.index}.t${y.t}.loss`) as { x: Num }).x),
      forward,
      backward: backwardOfExample(e),
      totals,
      embTotals,
      table,
    };
  });

  const N = trace.examples.length;
  const exLabel = (id: string) => `n=${/^ex(\d+)/.exec(id)![1]}`;
  const batchLoss = totalBlock(trace.batch.loss, '\\mathcal{L}', (id) => `L^{(${/^ex(\d+)/.exec(id)![1]})}`, 8, 'a perfect prediction');
  const grads = trace.batch.grads.map((g) => totalBlock(g, `\\nabla_{${paramSymbol(g.id.slice(5))}} \\mathcal{L}`, exLabel, perLine(g.value), 'no gradient reaches it'));
  const embGrads = trace.batch.embGrads.map((g) => {
    const tok = g.id.slice('grad.emb.'.length);
    return totalBlock(g, `\\nabla_{e(${mathText(tok)})} \\mathcal{L}`, exLabel, perLine(g.value), 'no gradient reaches it');
  });
  const lr = trace.training.learningRate;
  const updates: Block[] = trace.batch.updates.map((u) => {
    const isEmb = u.param.startsWith('emb.');
    const sym = isEmb ? `e(${mathText(u.param.slice(4))})` : paramSymbol(u.param);
    return { partial: 'update', id: u.id, lhs: `${sym}'`, sym, before: u.before, lr: lr!, grad: val(u.grad), gradSym: `\\nabla_{${sym}} \\mathcal{L}`, value: u.value };
  });

  const H = trace.hidden;
  const D = trace.inputDim;
  return {
    title: trace.title,
    source: trace.source,
    decimals: opts.decimals,
    precision: trace.precision,
    detail: opts.detail,
    full: opts.detail === 'full',
    brief: opts.detail === 'brief',
    H,
    D,
    O,
    T: Math.max(...trace.examples.map((e) => e.length)),
    cell: trace.cell,
    head: trace.head,
    headSingle,
    vocabulary: trace.vocabulary,
    params: trace.params.map((p) => ({ name: p.name, sym: paramSymbol(p.name), shape: p.shape.join(' \\times '), value: p.value, role: p.role })),
    paramCount: {
      H,
      D,
      O,
      total: H * (D + H + 1) + O * (H + 1),
      embeddings: trace.vocabulary.length ? trace.vocabulary.length * D : null,
    },
    initial: trace.initial.map((s) => ({ sym: `${s.name[0]}_{${s.name.slice(1)}}`, value: s.value, given: s.given })),
    training: { ...trace.training, examples: N },
    examples,
    batch: { loss: batchLoss, grads, embGrads, updates, lr },
    quantityCount: q.size,
  };
}
