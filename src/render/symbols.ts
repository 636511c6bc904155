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
}

export const delta = (sym: string): string => `\\delta ${sym}`;

/** Bases of quantity symbols; `pre` quantities are written with a `pre` superscript. */
const TEXTBOOK: Record<string, string> = {
  x: 'x', z: 'z', h: 'h', s: 's', yhat: '\\hat{y}', loss: 'L', c: 'c',
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

export function makeSymbols(trace: Pick<Trace, 'convention' | 'gates' | 'hidden'>): Symbols {
  const bases = trace.convention === 'pytorch' ? PYTORCH : TEXTBOOK;
  const quantity = (name: string, t: number | string | null, entry?: number): string => {
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
  const param = (name: string, rows?: [number, number]): string => {
    const torch = TORCH_NAMES[name];
    if (torch) {
      // W_ih, b_hh; a gate block of rows: W_if, b_hn (as the torch.nn documentation writes them)
      const gate = rows && trace.gates ? trace.gates[Math.floor(rows[0] / trace.hidden)] : undefined;
      return `${torch[0]}_{${torch[1]}${gate ?? 'h'}}`;
    }
    const m = /^([A-Za-z])_([A-Za-z0-9]+)$/.exec(name);
    if (m) return `${m[1]}_{${m[2]}}`;
    return `\\mathrm{${escapeLatexText(name)}}`;
  };
  const arg = (a: Arg): string => {
    switch (a.kind) {
      case 'step':
        return id(a.id);
      case 'param':
        return param(a.name, a.rows);
      case 'const':
        return quantity(a.label.replace(/\d+$/, ''), Number(a.label.match(/\d+$/)?.[0] ?? 0));
    }
  };
  return { quantity, id, grad: (g, entry) => delta(id(g.replace(/\.d(\w+)$/, '.$1'), entry)), param, arg };
}
