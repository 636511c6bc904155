// `npm run size-rates`: fits the rates src/run/size.ts estimates the length of a solution
// with (src/run/size-rates.ts) to the solutions of problems of every cell and convention,
// stacked and bidirectional, with the training options, in every format and detail; prints
// how far each estimate is from the text it estimates, and with --write rewrites
// src/run/size-rates.ts. Run it when a template or the view changes what a solution writes
// (test/run/size.test.ts fails then). It takes a few minutes (HTML: KaTeX).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Numeric } from '../../src/numeric/index.js';
import { loadProblem } from '../../src/problem/validate.js';
import { solve } from '../../src/engine/solve.js';
import { renderers, type Format } from '../../src/render/formats.js';
import type { Detail } from '../../src/render/view.js';
import { charsOf, RATE_POINTS, rateFeatures, shapeOf, type Shape as SizeShape } from '../../src/run/size.js';
import type { CHARS, Rates } from '../../src/run/size-rates.js';
import { problemYaml, shapeLabel, type Shape } from '../helpers/shapes.js';

/** the problems fitted to; `html: false` for those whose HTML takes too long to make */
const SHAPES: (Shape & { html?: false })[] = [
  { cell: 'rnn', H: 2, D: 3, T: [4, 3] },
  { cell: 'rnn', H: 2, D: 2, T: [2, 2, 2, 2, 2, 2] },
  { cell: 'lstm', H: 3, D: 2, T: [5] },
  { cell: 'gru', H: 4, D: 4, T: [8, 8, 8] },
  { cell: 'gru', convention: 'pytorch', H: 2, D: 2, T: [4, 3], layers: 2, bidirectional: true },
  { cell: 'lstm', convention: 'pytorch', H: 3, D: 3, T: [5, 5], layers: 4 },
  { cell: 'rnn', H: 6, D: 5, T: [8, 5] },
  { cell: 'lstm', H: 6, D: 4, T: [7, 3] },
  { cell: 'gru', H: 5, D: 6, T: [6, 6] },
  { cell: 'rnn', convention: 'pytorch', H: 4, D: 3, T: [6, 5], layers: 2 },
  { cell: 'lstm', H: 5, D: 3, T: [6, 4], clip: true, learningRate: true, O: 3 },
  { cell: 'rnn', H: 5, D: 5, T: [10], every: true, truncate: 3, learningRate: true },
  { cell: 'gru', H: 8, D: 8, T: [12], every: true, O: 2 },
  { cell: 'rnn', H: 16, D: 8, T: [12] },
  { cell: 'lstm', H: 12, D: 6, T: [8] },
  { cell: 'gru', H: 10, D: 8, T: [10] },
  { cell: 'gru', convention: 'pytorch', H: 12, D: 6, T: [6] },
  { cell: 'rnn', H: 10, D: 10, T: [20, 20], bidirectional: true, html: false },
  { cell: 'lstm', H: 10, D: 6, T: [16, 8], layers: 2, every: true, html: false },
  { cell: 'gru', H: 12, D: 12, T: [24], truncate: 4, learningRate: true, clip: true, html: false },
  { cell: 'rnn', H: 16, D: 8, T: [30, 30], O: 3, html: false },
  { cell: 'lstm', H: 8, D: 16, T: [12, 12, 12, 12], html: false },
  { cell: 'gru', convention: 'pytorch', H: 8, D: 8, T: [16, 16], layers: 2, bidirectional: true, html: false },
  { cell: 'lstm', H: 12, D: 12, T: [6, 6, 6, 6, 6, 6, 6, 6], html: false },
  { cell: 'rnn', H: 24, D: 16, T: [40], html: false },
  { cell: 'lstm', H: 16, D: 16, T: [32, 32], html: false },
];

const FORMATS: Format[] = ['md', 'tex', 'html', 'json'];
const DETAILS: Detail[] = ['full', 'standard', 'brief'];

interface Sample {
  shape: SizeShape;
  label: string;
  chars: number;
}

/** min Σ (x·c / y − 1)² over c ≥ 0: least squares on the relative error, dropping features that come out negative */
function fit(samples: Sample[]): Rates {
  const features = rateFeatures;
  const active = features({ cell: 'rnn', work: 0, rows: 0, outputs: 0, examples: 0 }).map(() => true);
  for (;;) {
    const idx = active.flatMap((a, i) => (a ? [i] : []));
    const k = idx.length;
    const A = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
    for (const s of samples) {
      const x = features(s.shape).map((v) => v / s.chars);
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) A[i]![j]! += x[idx[i]!]! * x[idx[j]!]!;
        A[i]![k]! += x[idx[i]!]!;
      }
    }
    for (let i = 0; i < k; i++) A[i]![i]! += 1e-12; // a feature no sample has (no GRU among them): 0
    // Gauss-Jordan with partial pivoting
    for (let c = 0; c < k; c++) {
      let p = c;
      for (let r = c + 1; r < k; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[p]![c]!)) p = r;
      [A[c], A[p]] = [A[p]!, A[c]!];
      for (let r = 0; r < k; r++) {
        if (r === c) continue;
        const f = A[r]![c]! / A[c]![c]!;
        for (let j = c; j <= k; j++) A[r]![j]! -= f * A[c]![j]!;
      }
    }
    const c = idx.map((_, i) => A[i]![k]! / A[i]![i]!);
    const worst = c.reduce((w, v, i) => (v < (c[w] ?? 0) ? i : w), -1);
    if (worst === -1) {
      const rates = active.map(() => 0);
      idx.forEach((f, i) => (rates[f] = Math.round(c[i]! * 10) / 10));
      return rates as Rates;
    }
    active[idx[worst]!] = false;
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'unrolled-size-'));
const samples = new Map<string, Sample[]>();
for (const [i, s] of SHAPES.entries()) {
  const file = join(tmp, `shape-${i}.yaml`);
  writeFileSync(file, problemYaml(s));
  const label = shapeLabel(s);
  for (const precision of [64, 200]) {
    const n = Numeric.at(precision);
    const problem = loadProblem(file, n);
    const shape = shapeOf(problem);
    const trace = solve(problem, { precision });
    // at 64 digits every format at both points (the JSON at its first); at 200 the JSON's second
    for (const format of precision === 64 ? FORMATS : (['json'] as Format[])) {
      if (format === 'html' && s.html === false) continue;
      for (const detail of format === 'json' ? (['full'] as Detail[]) : DETAILS) {
        for (const [p, digits] of RATE_POINTS[format].entries()) {
          if (format === 'json' && digits !== precision) continue;
          const chars = renderers[format](trace, { num: n, decimals: format === 'json' ? 4 : digits, detail, templates: null }).length;
          const key = `${format}.${detail}.${p}`;
          samples.set(key, [...(samples.get(key) ?? []), { shape, label, chars }]);
        }
      }
    }
  }
  process.stderr.write(`${label}: done\n`);
}
rmSync(tmp, { recursive: true, force: true });

const table: Record<string, Record<string, [Rates, Rates]>> = {};
const spread: string[] = [];
for (const format of FORMATS) {
  table[format] = {};
  for (const detail of DETAILS) {
    const key = (p: number) => `${format}.${detail}.${p}`;
    // the JSON is the same at every detail: fitted once
    if (format === 'json' && detail !== 'full') {
      table[format]![detail] = table[format]!.full!;
      continue;
    }
    const rates = [0, 1].map((p) => fit(samples.get(key(p))!)) as [Rates, Rates];
    table[format]![detail] = rates;
    for (const p of [0, 1]) {
      const digits = RATE_POINTS[format][p]!;
      const out = { format, detail, decimals: digits, precision: digits };
      const ratios = samples.get(key(p))!.map((s) => ({ r: charsOf(s.shape, out, { [format]: { [detail]: rates } } as typeof CHARS) / s.chars, s }));
      ratios.sort((a, b) => a.r - b.r);
      spread.push(`${key(p).padEnd(18)} estimate/text ${ratios[0]!.r.toFixed(2)} (${ratios[0]!.s.label}) to ${ratios.at(-1)!.r.toFixed(2)} (${ratios.at(-1)!.s.label})`);
    }
  }
}

const row = (r: Rates) => `[${r.join(', ')}]`;
const source = `// Written by test/bench/size-rates.ts (\`npm run size-rates -- --write\`), which fits these
// to the solutions of problems of every cell, stacked and bidirectional, with the training
// options, and prints how far the estimates are from the texts: do not edit by hand.
import type { Format } from '../render/formats.js';
import type { Detail } from '../render/view.js';

/** characters per unit of work of an RNN, an LSTM, a GRU; per row and timestep of each; per output step; per example; per document */
export type Rates = [rnn: number, lstm: number, gru: number, rnnRow: number, lstmRow: number, gruRow: number, output: number, example: number, document: number];

/** the rates at 4 and at 12 decimals (JSON: 64 and 200 digits) */
export const CHARS: Record<Format, Record<Detail, [Rates, Rates]>> = {
${FORMATS.map((f) => `  ${f}: {\n${DETAILS.map((d) => `    ${d}: [${row(table[f]![d]![0])}, ${row(table[f]![d]![1])}],`).join('\n')}\n  },`).join('\n')}
};
`;
console.log(spread.join('\n'));
if (process.argv.includes('--write')) {
  writeFileSync(join(process.cwd(), 'src', 'run', 'size-rates.ts'), source);
  console.log('wrote src/run/size-rates.ts');
} else console.log(`\n${source}`);
