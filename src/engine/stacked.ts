// Stacked and bidirectional networks (DESIGN §5), as torch.nn.RNN/LSTM/GRU(num_layers=L,
// bidirectional=True). The tape holds every x_t first, then layer by layer, within a layer the
// forward direction (t = 1..T) then the reverse one (t = T..1), then the head. The cells are
// unchanged: the recorder's suffix (`_l1`, `_reverse`, …) names their steps and parameters.
import type { Example, Problem } from '../problem/types.js';
import type { Arg } from '../trace/types.js';
import { headParams, type Cell, type ParamSpec } from './cells/index.js';
import { vec } from './linalg.js';
import type { Recorder } from './recorder.js';

export interface Unit {
  /** 0-based layer */
  layer: number;
  reverse: boolean;
  /** the name suffix: `''`, `_reverse`, `_l1`, `_l1_reverse` (`_l0` is dropped) */
  suffix: string;
}

/** The recurrent units of a network in torch's order: layer by layer, forward then reverse. */
export function layerUnits(layers: number, bidirectional: boolean): Unit[] {
  const out: Unit[] = [];
  for (let k = 0; k < layers; k++) {
    for (const reverse of bidirectional ? [false, true] : [false]) out.push({ layer: k, reverse, suffix: `${k > 0 ? `_l${k}` : ''}${reverse ? '_reverse' : ''}` });
  }
  return out;
}

/**
 * Every parameter of a network, in order: each unit's cell parameters with its suffix (layer
 * k > 0 reads dirs·H entries), then the head, which reads dirs·H entries too.
 */
export function networkParams(cell: Cell, H: number, D: number, O: number, layers: number, bidirectional: boolean): (ParamSpec & { role: 'cell' | 'head' })[] {
  const dirs = bidirectional ? 2 : 1;
  return [
    ...layerUnits(layers, bidirectional).flatMap((u) => cell.params(H, u.layer === 0 ? D : dirs * H).map((p) => ({ ...p, name: p.name + u.suffix, role: 'cell' as const }))),
    ...headParams(O, dirs * H).map((p) => ({ ...p, role: 'head' as const })),
  ];
}

/** True when the problem needs the layer-by-layer recording (more than one unit). */
export const isStacked = (p: Pick<Problem, 'layers' | 'bidirectional'>): boolean => (p.layers ?? 1) > 1 || !!p.bidirectional;

/** Records one example of a stacked/bidirectional network; returns the timestep losses. */
export function recordStacked(g: Recorder, cell: Cell, problem: Problem, ex: Example): Arg[] {
  const L = problem.layers;
  const dirs = problem.bidirectional ? 2 : 1;
  const units = layerUnits(L, problem.bidirectional);
  const T = ex.inputs.length;
  const chunk = problem.training.truncate;
  g.suffix = '';
  let inputs: Arg[] = [];
  for (let t = 1; t <= T; t++) {
    g.t = t;
    inputs.push(ex.tokens ? g.embed(ex.tokens[t - 1]!, ex.inputs[t - 1]!) : g.input(ex.inputs[t - 1]!));
  }
  let outs: Arg[][] = [];
  for (let k = 0; k < L; k++) {
    outs = [];
    for (const u of units.filter((x) => x.layer === k)) {
      g.suffix = u.suffix;
      let state: Record<string, Arg> = {};
      for (const s of cell.state) {
        state[s] = { kind: 'const', label: `${s}0${u.suffix}`, value: vec(problem.initial.get(`${s}0${u.suffix}`)!.value) };
      }
      const hs: Arg[] = [];
      for (let i = 0; i < T; i++) {
        const t = u.reverse ? T - i : i + 1;
        g.t = t;
        if (chunk !== null && !u.reverse && t > 1 && (t - 1) % chunk === 0) {
          // truncated BPTT, in every layer: the state is carried forward but detached
          state = Object.fromEntries(Object.entries(state).map(([s, a]) => [s, { kind: 'const', label: `${s}${t - 1}${u.suffix}`, value: g.value(a), detached: true }]));
        }
        state = cell.step(g, inputs[t - 1]!, state);
        hs[t - 1] = state.h!;
      }
      outs.push(hs);
    }
    if (k < L - 1) {
      if (dirs === 2) {
        // layer k + 1 reads [h→_t; h←_t] of layer k
        g.suffix = `_l${k + 1}`;
        const next: Arg[] = [];
        for (let t = 1; t <= T; t++) {
          g.t = t;
          next.push(g.concat('x', [outs[0]![t - 1]!, outs[1]![t - 1]!]));
        }
        inputs = next;
      } else inputs = outs[0]!;
    }
  }
  // the head reads the top layer: [h→_t; h←_t], or for output_at: last [h→_T; h←_1] (torch's h_n)
  const top = L > 1 ? `_l${L - 1}` : '';
  const losses: Arg[] = [];
  for (const target of [...ex.targets].sort((a, b) => a.t - b.t)) {
    const t = target.t;
    g.t = t;
    let hin = outs[0]![t - 1]!;
    if (dirs === 2) {
      g.suffix = top;
      hin = g.concat('hcat', [hin, outs[1]![problem.head.outputAt === 'last' ? 0 : t - 1]!]);
    }
    g.suffix = '';
    const s = g.affine('s', [[g.p('W_hy'), hin]], [g.p('b_y')]);
    const yhat = g.apply(problem.head.activation, 'yhat', s);
    losses.push(g.loss(problem.head.loss, 'loss', yhat, target.target, target.targetIndex));
  }
  g.suffix = '';
  return losses;
}
