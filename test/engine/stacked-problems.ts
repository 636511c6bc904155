// Problem files for stacked and bidirectional networks (DESIGN §5), shared by the engine's
// gradient checks and the renderers' tests: random one-decimal parameters of every layer
// and direction, one raw-input example of T = 3 steps, H = D = 2.
import { cells } from '../../src/engine/cells/index.js';
import type { CellKind, Convention } from '../../src/problem/types.js';

/** A seeded generator of one-decimal numbers in [−0.5, 0.5] (exact decimals, like a hand-made problem). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return String((Math.floor((s / 2 ** 32) * 11) - 5) / 10);
  };
}

export interface Config {
  cell: CellKind;
  convention: Convention;
  layers: number;
  bidirectional: boolean;
  outputAt: 'last' | 'every';
  /** write layer 0 with torch's `_l0` */
  l0?: boolean;
  truncate?: number;
  seed: number;
}

export const H = 2;
export const D = 2;
export const T = 3;

/** The problem file of a config: random parameters of every layer and direction, one raw-input example. */
export function problemText(c: Config): string {
  const r = rng(c.seed);
  const dirs = c.bidirectional ? 2 : 1;
  const m = (rows: number, cols: number) => `[${Array.from({ length: rows }, () => `[${Array.from({ length: cols }, r).join(', ')}]`).join(', ')}]`;
  const v = (k: number) => `[${Array.from({ length: k }, r).join(', ')}]`;
  const lines: string[] = [];
  for (let k = 0; k < c.layers; k++) {
    for (const rev of c.bidirectional ? [false, true] : [false]) {
      const sfx = `${k > 0 || c.l0 ? `_l${k}` : ''}${rev ? '_reverse' : ''}`;
      for (const p of cells[c.cell][c.convention].params(H, k === 0 ? D : dirs * H)) {
        lines.push(`  ${p.name}${sfx}: ${p.shape.length === 2 ? m(p.shape[0], p.shape[1]) : v(p.shape[0])}`);
      }
    }
  }
  const O = 1;
  lines.push(`  W_hy: ${m(O, dirs * H)}`, `  b_y: ${v(O)}`);
  const inputs = `[${Array.from({ length: T }, () => v(D)).join(', ')}]`;
  const every = c.outputAt === 'every';
  const h0 = c.l0 ? '_l0' : '';
  return [
    'model:',
    `  cell: ${c.cell}`,
    `  convention: ${c.convention}`,
    `  hidden_size: ${H}`,
    `  layers: ${c.layers}`,
    `  bidirectional: ${c.bidirectional}`,
    'params:',
    ...lines,
    `head: {activation: ${every ? 'identity' : 'sigmoid'}, loss: ${every ? 'mse' : 'bce'}, output_at: ${c.outputAt}}`,
    'data:',
    `  - inputs: ${inputs}`,
    `    target: ${every ? `[${Array.from({ length: T }, () => `[${r()}]`).join(', ')}]` : '1'}`,
    // a given initial state for layer 0 and a zero one elsewhere
    `initial_state: {h0${h0}: ${v(H)}${c.cell === 'lstm' ? `, c0${h0}: ${v(H)}` : ''}}`,
    ...(c.truncate ? ['training: {truncate: ' + c.truncate + '}'] : []),
    '',
  ].join('\n');
}

