// How each quantity and parameter is written in LaTeX, for one problem: the textbook
// convention writes the LSTM candidate C̃_t and the GRU candidate h̃_t; the PyTorch
// convention follows the torch.nn documentation (g_t, n_t, W_ih with gate blocks W_if, …).
import type { Arg, Trace } from '../trace/types.js';
import { escapeLatexText } from './latex.js';

export interface Symbols {
  /** a quantity `name` at timestep t (optionally one entry, 1-based) */
  quantity(name: string, t: number | string | null, entry?: number): string;
  /** the quantity of an id such as `ex1.t3.h` */
  id(id: string, entry?: number): string;
  /** the gradient of an id: `ex1.t3.dz` → δz_3 */
  grad(gradId: string, entry?: number): string;
  /** a parameter, or a block of its rows (a gate's block of a stacked torch weight) */
  param(name: string, rows?: [number, number]): string;
  arg(a: Arg): string;
  /** entry j (0-based) of a constant operand (an initial or detached state): h_{0,1}, c_{3,2} */
  constEntry(a: Extract<Arg, { kind: 'const' }>, j: number): string;
}

/**
 * A quantity or parameter name and its layer/direction suffix (DESIGN §5):
 * `h_l1_reverse` → h, layer 1, reverse; `weight_ih` → weight_ih, layer 0, forward.
 */
export function splitName(name: string): { base: string; layer: number; reverse: boolean; suffix: string } {
  const m = /^(.*?)(_l(\d+))?(_reverse)?$/.exec(name)!;
  const layer = m[3] ? Number(m[3]) : 0;
  return { base: m[1]!, layer, reverse: !!m[4], suffix: `${layer > 0 ? `_l${layer}` : ''}${m[4] ? '_reverse' : ''}` };
}

/** A constant's label, `h0`, `c3_l1_reverse`: the quantity's name (with its suffix) and t. */
export function splitLabel(label: string): { name: string; t: number } {
  const m = /^([A-Za-z]+)(\d+)(.*)$/.exec(label);
  return m ? { name: m[1]! + m[3]!, t: Number(m[2]) } : { name: label.replace(/\d+$/, ''), t: Number(label.match(/\d+$/)?.[0] ?? 0) };
}

/** Quantities that belong to no direction: the inputs, the head, the concatenations */
const UNDIRECTED = new Set(['x', 'hcat', 's', 'yhat', 'loss']);
const HEAD_QUANTITIES = new Set(['s', 'yhat', 'loss']);
const HEAD_PARAMS = new Set(['W_hy', 'b_y']);

export const delta = (sym: string): string => `\\delta ${sym}`;

/** Bases of quantity symbols; `pre` quantities are written with a `pre` superscript. */
const TEXTBOOK: Record<string, string> = {
  x: 'x', z: 'z', h: 'h', hcat: 'h', s: 's', yhat: '\\hat{y}', loss: 'L', c: 'c',
  f: 'f', i: 'i', o: 'o', r: 'r', g: '\\tilde{C}', n: '\\tilde{h}',
  v: 'v', v_r: 'u', rh: 'q', r_hn: 'q', hn: '\\mathit{hn}',
};
const PYTORCH: Record<string, string> = { ...TEXTBOOK, g: 'g', n: 'n' };

const TORCH_NAMES: Record<string, [string, string]> = {
  weight_ih: ['W', 'i'],
  weight_hh: ['W', 'h'],
  bias_ih: ['b', 'i'],
  bias_hh: ['b', 'h'],
};

export function makeSymbols(trace: Pick<Trace, 'convention' | 'gates' | 'hidden'> & Partial<Pick<Trace, 'layers' | 'bidirectional'>>): Symbols {
  const bases = trace.convention === 'pytorch' ? PYTORCH : TEXTBOOK;
  const stackedLayers = (trace.layers ?? 1) > 1;
  const bidirectional = !!trace.bidirectional;
  /** a direction's arrow over a symbol's letter (bidirectional networks only) */
  const arrow = (letter: string, reverse: boolean, directed: boolean) =>
    reverse ? `\\overleftarrow{${letter}}` : bidirectional && directed ? `\\overrightarrow{${letter}}` : letter;
  const quantity = (name: string, t: number | string | null, entry?: number): string => {
    const u = splitName(name);
    if (u.suffix || (bidirectional && !UNDIRECTED.has(u.base)) || (stackedLayers && u.base !== 'x' && !HEAD_QUANTITIES.has(u.base))) {
      // layer k as a superscript (k + 1), the direction as an arrow: {\overleftarrow{h}^{(2)}_{3}}
      const sub = [t, entry].filter((x) => x !== null && x !== undefined).join(',');
      if (u.base === 'tanh_c') return `\\tanh(${quantity(`c${u.suffix}`, t, entry)})`;
      const pre = /^(\w+)_pre$/.exec(u.base);
      const key = pre ? pre[1]! : u.base;
      const letter = arrow(bases[key] ?? `\\mathrm{${escapeLatexText(key)}}`, u.reverse, !UNDIRECTED.has(u.base));
      const layer = stackedLayers && !HEAD_QUANTITIES.has(u.base) && (u.base !== 'x' || u.layer > 0) ? `(${u.layer + 1})` : '';
      const sup = [pre ? '\\mathrm{pre}' : '', layer].filter(Boolean).join(',');
      const body = `${letter}${sup ? `^{${sup}}` : ''}${sub ? `_{${sub}}` : ''}`;
      return layer ? `{${body}}` : body;
    }
    const sub = [t, entry].filter((x) => x !== null && x !== undefined).join(',');
    if (name === 'tanh_c') return `\\tanh(c_{${sub}})`;
    const pre = /^(\w+)_pre$/.exec(name);
    const key = pre ? pre[1]! : name;
    const base = bases[key] ?? `\\mathrm{${escapeLatexText(key)}}`;
    const sup = pre ? '^{\\mathrm{pre}}' : '';
    return sub ? `${base}${sup}_{${sub}}` : `${base}${sup}`;
  };
  const id = (qid: string, entry?: number): string => {
    const m = /^ex\d+\.(?:t(\d+)\.)?(\w+)$/.exec(qid);
    if (!m) return `\\mathrm{${escapeLatexText(qid)}}`;
    return quantity(m[2]!, m[1] ? Number(m[1]) : null, entry);
  };
  const param = (full: string, rows?: [number, number]): string => {
    const u = splitName(full);
    if (!HEAD_PARAMS.has(full) && (u.suffix || bidirectional || stackedLayers)) {
      // W_{xh}^{(2)}, \overleftarrow{W}_{ih}, {\overrightarrow{W}_{if}^{(1)}}
      const plain = plainParam(u.base, rows);
      const m = /^([A-Za-z])_\{(.*)\}$/.exec(plain);
      if (!m) return plain;
      const body = `${arrow(m[1]!, u.reverse, true)}_{${m[2]!}}`;
      return stackedLayers ? `{${body}^{(${u.layer + 1})}}` : body;
    }
    return plainParam(full, rows);
  };
  function plainParam(name: string, rows?: [number, number]): string {
    const torch = TORCH_NAMES[name];
    if (torch) {
      // W_ih, b_hh; a gate block of rows: W_if, b_hn (as the torch.nn documentation writes them)
      const gate = rows && trace.gates ? trace.gates[Math.floor(rows[0] / trace.hidden)] : undefined;
      return `${torch[0]}_{${torch[1]}${gate ?? 'h'}}`;
    }
    const m = /^([A-Za-z])_([A-Za-z0-9]+)$/.exec(name);
    if (m) return `${m[1]}_{${m[2]}}`;
    return `\\mathrm{${escapeLatexText(name)}}`;
  }
  const arg = (a: Arg): string => {
    switch (a.kind) {
      case 'step':
        return id(a.id);
      case 'param':
        return param(a.name, a.rows);
      case 'const': {
        const c = splitLabel(a.label);
        return quantity(c.name, c.t);
      }
    }
  };
  const constEntry = (a: Extract<Arg, { kind: 'const' }>, j: number): string => {
    const c = splitLabel(a.label);
    return quantity(c.name, c.t, j + 1);
  };
  return { quantity, id, grad: (g, entry) => delta(id(g.replace(/\.d(\w+)$/, '.$1'), entry)), param, arg, constEntry };
}
