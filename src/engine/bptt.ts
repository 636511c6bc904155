// Backpropagation through time: walk the tape backwards. When the walk reaches a step,
// every consumer of that step has already been visited, so its gradient is complete: the
// sum of the contributions its consumers sent it (+=, as for a weight reused at every
// timestep). The step's own rule then sends contributions on to its operands.
import type { Contribution, GradStep, Step, Value } from '../trace/types.js';
import { addValues, mat, scalar, vec, zeros, zerosLike } from './linalg.js';
import { backwardOf } from './ops/index.js';
import type { Recorder } from './recorder.js';
import type { ParamSpec } from './cells/index.js';

/** `ex1.t3.h` → `ex1.t3.dh` */
export function gradId(step: Step): string {
  return step.id.slice(0, step.id.length - step.name.length) + 'd' + step.name;
}

/** Gradient ids that are not worth a quantity of their own: ∂L/∂L_t = 1. */
const silent = new Set<Step['op']>(['loss', 'sum']);

export function bptt(rec: Recorder, lossId: string, params: ParamSpec[]): GradStep[] {
  const n = rec.num;
  const pending = new Map<string, Contribution[]>();
  // this timestep's contributions to each parameter, grouped by (t, parameter) over the
  // whole walk: in a stacked or bidirectional network the steps of one t are not contiguous
  const paramParts = new Map<number, Map<string, Contribution[]>>();
  const out: GradStep[] = [];

  const flush = (t: number | null) => {
    if (t === null) return;
    const byParam = paramParts.get(t) ?? new Map<string, Contribution[]>();
    for (const p of params) {
      const parts = byParam.get(p.name) ?? [];
      let total = zeros(n, p.shape);
      for (const c of parts) total = addValues(n, total, placeRows(c, p.shape, n));
      const id = `ex${rec.ex}.t${t}.d${p.name}`;
      if (rec.adjust) total = rec.adjust(id, total);
      out.push({ id, scope: { ex: rec.ex, t }, kind: 'param', of: p.name, parts, value: total });
    }
    paramParts.delete(t);
  };

  // a timestep's parameter contributions are complete once the walk has passed its first step
  const first = new Map<number, number>();
  rec.steps.forEach((s, i) => {
    if (s.scope.t !== null && !first.has(s.scope.t)) first.set(s.scope.t, i);
  });
  for (let i = rec.steps.length - 1; i >= 0; i--) {
    const s = rec.steps[i]!;
    const parts = pending.get(s.id) ?? [];
    let g: Value =
      s.id === lossId
        ? scalar(n.one)
        : parts.reduce<Value>((acc, c) => addValues(n, acc, c.value), zerosLike(n, s.value));
    const gid = gradId(s);
    if (rec.adjust && s.id !== lossId) g = rec.adjust(gid, g);
    if (!silent.has(s.op)) out.push({ id: gid, scope: s.scope, kind: 'node', of: s.id, parts, value: g, ...(s.internal ? { internal: true } : {}) });
    for (const c of backwardOf(s, g, gid, rec)) {
      if (c.to.kind === 'step') {
        const list = pending.get(c.to.id) ?? [];
        list.push(c);
        pending.set(c.to.id, list);
      } else {
        const t = s.scope.t;
        if (t === null) throw new Error(`parameter ${c.to.name} used outside a timestep`);
        const byParam = paramParts.get(t) ?? new Map<string, Contribution[]>();
        const list = byParam.get(c.to.name) ?? [];
        list.push(c);
        byParam.set(c.to.name, list);
        paramParts.set(t, byParam);
      }
    }
    if (s.scope.t !== null && first.get(s.scope.t) === i) flush(s.scope.t);
  }
  return out;
}

/** A contribution to a block of a parameter's rows, as a value of the parameter's full shape. */
function placeRows(c: Contribution, shape: ParamSpec['shape'], n: Recorder['num']): Value {
  const rows = c.to.kind === 'param' ? c.to.rows : undefined;
  if (!rows) return c.value;
  const full = zeros(n, shape);
  if (full.kind === 'mat' && c.value.kind === 'mat') {
    const x = full.x.map((r) => [...r]);
    c.value.x.forEach((r, i) => (x[rows[0] + i] = r));
    return mat(x);
  }
  if (full.kind === 'vec' && c.value.kind === 'vec') {
    const x = [...full.x];
    c.value.x.forEach((v, i) => (x[rows[0] + i] = v));
    return vec(x);
  }
  return c.value;
}
