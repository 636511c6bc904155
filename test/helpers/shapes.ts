// Problem files of any shape, for the tests of sizes (test/run/size.test.ts): every
// parameter named as the cell and convention name it (networkParams), numbers of two
// decimals drawn from a fixed seed, so the same shape always gives the same file.
import { cells } from '../../src/engine/cells/index.js';
import { networkParams } from '../../src/engine/stacked.js';
import { Draw, decimalGrid, seedOf, type DecimalGrid } from '../../src/generate/random.js';
import type { CellKind, Convention } from '../../src/problem/types.js';

export interface Shape {
  cell: CellKind;
  convention?: Convention;
  H: number;
  D: number;
  /** timesteps of each example (one entry per example) */
  T: number[];
  layers?: number;
  bidirectional?: boolean;
  /** output_at: every */
  every?: boolean;
  truncate?: number;
  clip?: boolean;
  learningRate?: boolean;
  /** outputs, with cross_entropy over them when more than 1 */
  O?: number;
}

export function problemYaml(s: Shape): string {
  const convention = s.convention ?? 'textbook';
  const O = s.O ?? 1;
  const layers = s.layers ?? 1;
  const draw = new Draw(seedOf('shape', JSON.stringify(s)));
  const g = decimalGrid('-0.5', '0.5', 2, false) as DecimalGrid;
  const vec = (k: number) => `[${draw.vector(g, k).join(', ')}]`;
  const mat = (r: number, c: number) => `[${draw.matrix(g, r, c).map((row) => `[${row.join(', ')}]`).join(', ')}]`;
  const words = Array.from({ length: 12 }, (_, i) => `w${i}`);
  const lines = [
    'model:',
    `  cell: ${s.cell}`,
    `  hidden_size: ${s.H}`,
    `  convention: ${convention}`,
    `  layers: ${layers}`,
    `  bidirectional: ${s.bidirectional ?? false}`,
    'embeddings:',
    ...words.map((w) => `  ${w}: ${vec(s.D)}`),
    'params:',
  ];
  for (const p of networkParams(cells[s.cell][convention], s.H, s.D, O, layers, s.bidirectional ?? false)) {
    lines.push(`  ${p.name}: ${p.shape.length === 2 ? mat(p.shape[0], p.shape[1]) : vec(p.shape[0])}`);
  }
  const loss = O > 1 ? 'cross_entropy' : 'bce';
  lines.push('head:', `  activation: ${O > 1 ? 'softmax' : 'sigmoid'}`, `  loss: ${loss}`, `  output_at: ${s.every ? 'every' : 'last'}`, 'data:');
  s.T.forEach((T, e) => {
    const target = (k: number) => (O > 1 ? String((e + k) % O) : String((e + k) % 2));
    const targets = s.every ? `[${Array.from({ length: T }, (_, k) => target(k)).join(', ')}]` : target(0);
    lines.push(`  - {text: "${Array.from({ length: T }, () => draw.pick(words)).join(' ')}", target: ${targets}}`);
  });
  const training = [
    ...(s.truncate ? [`  truncate: ${s.truncate}`] : []),
    ...(s.clip ? ['  clip_norm: 0.5'] : []),
    ...(s.learningRate ? ['  learning_rate: 0.1'] : []),
  ];
  if (training.length) lines.push('training:', ...training);
  return lines.join('\n') + '\n';
}

/** A shape in a few words: "gru (pytorch), H = 4, D = 3, T = 5 + 4, 2 layers, bidirectional, every, truncate 3, clip, O = 3". */
export function shapeLabel(s: Shape): string {
  return [
    `${s.cell}${s.convention === 'pytorch' ? ' (pytorch)' : ''}`,
    `H = ${s.H}`,
    `D = ${s.D}`,
    `T = ${s.T.join(' + ')}`,
    ...(s.layers ? [`${s.layers} layers`] : []),
    ...(s.bidirectional ? ['bidirectional'] : []),
    ...(s.every ? ['every'] : []),
    ...(s.truncate ? [`truncate ${s.truncate}`] : []),
    ...(s.clip ? ['clip'] : []),
    ...(s.O ? [`O = ${s.O}`] : []),
  ].join(', ');
}
