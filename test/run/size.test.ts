// The size check (src/run/size.ts): the shape a solution grows with, the estimates of its
// text against the texts themselves, and the refusals, in-process and from the command line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Numeric } from '../../src/numeric/index.js';
import { loadProblem } from '../../src/problem/validate.js';
import { solve } from '../../src/engine/solve.js';
import { InputError } from '../../src/problem/errors.js';
import { renderers, type Format } from '../../src/render/formats.js';
import type { Detail } from '../../src/render/view.js';
import { amount, charsOf, checkSize, estimateSize, renderWithin, shapeOf, type Room } from '../../src/run/size.js';
import { problemYaml, shapeLabel, type Shape } from '../helpers/shapes.js';
import { cli, escapeRegExp } from '../helpers/cli.js';
import { makeVariant, parseSpec, variantSeed } from '../../src/handout/spec.js';

const n = Numeric.at(64);
/** how far an estimate of a text may be from the text (the rates are fitted to other problems) */
const LOW = 0.6;
const HIGH = 2;
const tmp = mkdtempSync(join(tmpdir(), 'unrolled-size-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let files = 0;
/** a problem file of this shape */
function fileOf(s: Shape): string {
  const file = join(tmp, `problem-${++files}.yaml`);
  writeFileSync(file, problemYaml(s));
  return file;
}

describe('the shape of a problem', () => {
  it('counts every parameter entry once per timestep (the cell, and the input) or output step (the head)', () => {
    // the seed: H = D = 3, 6 + 4 timesteps, one output each: per step 3 (x) + 9 (W_xh) + 9
    // (W_hh) + 3 (b_h) = 24; per output 3 (W_hy) + 1 (b_y); rows 3 + 3 per step
    expect(shapeOf(loadProblem('fixtures/seed-rnn-sentiment.yaml', n))).toEqual({ cell: 'rnn', work: 10 * 24 + 2 * 4, rows: 10 * 6, outputs: 2, examples: 2 });
    // two layers, both directions, pytorch GRU with H = D = 2, 2 + 2 timesteps: layer 0 has
    // 6×2 + 6×2 + 6 + 6 = 36 entries per direction, layer 1 (reading 4) 6×4 + 6×2 + 12 = 48;
    // per step 2 + 2·36 + 2·48 = 170; the head reads 4: 4 + 1; rows 6 + 6 per unit, 4 units
    expect(shapeOf(loadProblem('fixtures/gru-pytorch-stacked-bidirectional.yaml', n))).toEqual({ cell: 'gru', work: 4 * 170 + 2 * 5, rows: 4 * 48, outputs: 2, examples: 2 });
  });

  it('counts the head at every timestep with output_at: every', () => {
    const s = shapeOf(loadProblem(fileOf({ cell: 'lstm', H: 2, D: 3, T: [4], every: true, O: 3 }), n));
    // LSTM textbook: 4 gates of 2 × (2 + 3) and 4 biases of 2: 48, and x: 3; head 3 × 2 + 3
    expect(s).toEqual({ cell: 'lstm', work: 4 * (48 + 3) + 4 * 9, rows: 4 * 8, outputs: 4, examples: 1 });
  });
});

/**
 * Problems the rates were not fitted to (test/bench/size-rates.ts), of every cell, from a
 * few hundred to a few thousand multiply-adds; the HTML of the smaller ones only (KaTeX).
 */
const CHECKED: (Shape & { html?: false })[] = [
  { cell: 'rnn', H: 4, D: 3, T: [7, 5, 3] },
  { cell: 'lstm', convention: 'pytorch', H: 4, D: 5, T: [6, 6] },
  { cell: 'gru', H: 3, D: 4, T: [9], every: true, learningRate: true },
  { cell: 'lstm', H: 4, D: 2, T: [5, 4], layers: 2, bidirectional: true, html: false },
  { cell: 'rnn', H: 12, D: 6, T: [14, 10], truncate: 4, learningRate: true, clip: true, html: false },
  { cell: 'gru', convention: 'pytorch', H: 10, D: 10, T: [12, 12], O: 3, html: false },
  { cell: 'lstm', H: 9, D: 9, T: [18], html: false },
];

describe('the estimate of the text', () => {
  for (const s of CHECKED) {
    it(`is within [${LOW}, ${HIGH}] of the text for ${shapeLabel(s)}`, () => {
      const file = fileOf(s);
      const problem = loadProblem(file, n);
      const trace = solve(problem, { precision: 64 });
      const shape = shapeOf(problem);
      const off: string[] = [];
      const formats: Format[] = s.html === false ? ['md', 'tex', 'json'] : ['md', 'tex', 'json', 'html'];
      for (const format of formats) {
        for (const detail of format === 'json' ? (['full'] as Detail[]) : (['full', 'standard', 'brief'] as Detail[])) {
          for (const decimals of format === 'json' || format === 'html' ? [4] : [4, 8]) {
            const text = renderers[format](trace, { num: n, decimals, detail, templates: null });
            const est = charsOf(shape, { format, detail, decimals, precision: 64 });
            const r = est / text.length;
            if (!(r >= LOW && r <= HIGH)) off.push(`${format} ${detail} at ${decimals} decimals: estimated ${est}, written ${text.length} (${r.toFixed(2)})`);
          }
        }
      }
      expect(off).toEqual([]);
    }, 60_000);
  }
});

/** the room of a machine like the CI machine: Node's default heap, 24 GB */
const ROOM: Room = { heap: 4.345e9, chars: 536_870_888, memory: 24e9 };
const refusal = (file: string, problem: ReturnType<typeof loadProblem>, out: Parameters<typeof checkSize>[2], room: Room): string => {
  try {
    checkSize(file, problem, out, room);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).problems).toHaveLength(1);
    return (e as InputError).message;
  }
  return 'accepted';
};

describe('the refusal', () => {
  const big = fileOf({ cell: 'lstm', H: 64, D: 64, T: [64, 64, 64, 64, 64, 64, 64, 64] });
  const problem = loadProblem(big, n);
  const out = { format: 'md', detail: 'full', decimals: 4, precision: 64 } as const;

  it('says how long the text would be, what a string holds, and what would fit', () => {
    const est = estimateSize(problem, out);
    expect(est.work).toBe(8 * 64 * (4 * 64 * 128 + 4 * 64 + 64) + 8 * 65);
    expect(refusal(big, problem, out, ROOM)).toBe(
      `${big}: the Markdown solution would be about ${amount(est.chars)} of text (16,941,576 multiply-adds forward, each written out with its gradient), more than one JavaScript string can hold (537 MB); expected fewer or shorter examples or a smaller hidden_size`,
    );
  });

  it('says how much memory, what Node may use, and how to give it more when the machine has it', () => {
    const brief = { ...out, detail: 'brief' } as const;
    const est = estimateSize(problem, brief);
    expect(est.chars).toBeLessThan(ROOM.chars);
    expect(est.heap).toBeGreaterThan(ROOM.heap);
    const mb = Math.ceil((est.heap * 1.25) / 2 ** 20 / 100) * 100;
    expect(refusal(big, problem, brief, ROOM)).toBe(
      `${big}: solving and writing it would take about ${amount(est.heap)} of memory (16,941,576 multiply-adds forward, every product kept for BPTT, and the text), more than this Node may use (4.3 GB); expected fewer or shorter examples or a smaller hidden_size, or give Node more memory: NODE_OPTIONS=--max-old-space-size=${mb}`,
    );
    expect(refusal(big, problem, brief, { ...ROOM, memory: 8e9 })).toMatch(/more than this Node may use \(4\.3 GB\); expected fewer or shorter examples or a smaller hidden_size \(this machine has 8\.0 GB of memory\)$/);
    // with that much heap it is accepted
    expect(refusal(big, problem, brief, { ...ROOM, heap: mb * 2 ** 20 })).toBe('accepted');
  });

  it('suggests the least brief detail that would fit', () => {
    const mid = fileOf({ cell: 'lstm', H: 16, D: 16, T: [32, 32, 32, 32] });
    const p = loadProblem(mid, n);
    expect(refusal(mid, p, out, ROOM)).toBe('accepted');
    expect(refusal(mid, p, { ...out, format: 'html' }, ROOM)).toMatch(/: the HTML solution would be about [\d.]+ GB of text \(272,452 multiply-adds forward, each written out with its gradient\), more than one JavaScript string can hold \(537 MB\); expected --detail standard, fewer or shorter examples or a smaller hidden_size$/);
    // no detail of the HTML fits in a string of 100 MB, the full Markdown does
    expect(refusal(mid, p, { ...out, format: 'html' }, { ...ROOM, chars: 100e6 })).toMatch(/: the HTML solution would be about [\d.]+ GB of text .* more than one JavaScript string can hold \(100 MB\); expected --format md, fewer or shorter examples or a smaller hidden_size$/);
    // a heap between what the standard and the full detail take: standard, not brief
    const heapOf = (detail: Detail) => estimateSize(p, { ...out, detail }).heap;
    expect(heapOf('brief')).toBeLessThan(heapOf('standard'));
    const between = Math.round((heapOf('standard') + heapOf('full')) / 2);
    expect(refusal(mid, p, out, { ...ROOM, heap: between })).toMatch(
      new RegExp(`: solving and writing it would take about ${amount(heapOf('full'))} of memory .* more than this Node may use \\(${amount(between)}\\); expected --detail standard, fewer or shorter examples or a smaller hidden_size, or give Node more memory: NODE_OPTIONS=--max-old-space-size=\\d+00$`),
    );
    // and below what the standard takes: brief
    expect(refusal(mid, p, out, { ...ROOM, heap: heapOf('standard') - 1 })).toMatch(/; expected --detail brief, fewer/);
  });

  it('is what a text too long for a string gives all the same, and nothing else is', () => {
    expect(() =>
      renderWithin('p.yaml', 'tex', () => {
        throw new RangeError('Invalid string length');
      }),
    ).toThrow(new InputError([{ file: 'p.yaml', field: null, pos: null, message: 'the LaTeX solution is longer than one JavaScript string can hold (537 MB); expected a briefer --detail, fewer or shorter examples or a smaller hidden_size' }]));
    expect(() =>
      renderWithin('p.yaml', 'md', () => {
        throw new RangeError('Maximum call stack size exceeded');
      }),
    ).toThrow(RangeError);
    expect(renderWithin('p.yaml', 'md', () => 'text')).toBe('text');
  });

  it('is enough: the built command, given a heap of the estimate (and 5%), solves and writes (and given half, refuses)', () => {
    // V8's heap limit is --max-old-space-size plus the young generation: measured here
    const limit = (oldMiB: number) =>
      Number(spawnSync(process.execPath, [`--max-old-space-size=${oldMiB}`, '-p', "require('node:v8').getHeapStatistics().heap_size_limit"], { encoding: 'utf8' }).stdout);
    const young = limit(100) - 100 * 2 ** 20;
    const file = fileOf({ cell: 'lstm', H: 12, D: 12, T: [24, 24] });
    const p = loadProblem(file, n);
    for (const [format, precision] of [['md', 64], ['tex', 64], ['json', 200]] as const) {
      const est = estimateSize(p, { format, detail: 'full', decimals: 4, precision }).heap;
      // 5% over the estimate: the smallest heap a solve finishes in moves a little with the
      // timing of the garbage collector
      const oldMiB = Math.ceil((1.05 * est - young) / 2 ** 20);
      const run = (mib: number) =>
        spawnSync(process.execPath, [`--max-old-space-size=${mib}`, 'dist/cli.js', 'solve', file, '--format', format, '--precision', String(precision), '--out', join(tmp, `heap-${format}`)], { encoding: 'utf8' });
      const enough = run(oldMiB);
      expect({ format, status: enough.status, signal: enough.signal, stderr: enough.stderr }).toEqual({ format, status: 0, signal: null, stderr: '' });
      const half = run(Math.ceil((est / 2 - young) / 2 ** 20));
      expect(half.status).toBe(2);
      expect(half.stderr).toMatch(/: solving and writing it would take about \d+ MB of memory \(58,[\d,]+ multiply-adds forward, every product kept for BPTT, and the text\), more than this Node may use \(\d+ MB\)/);
    }
  }, 120_000);

  it('comes from solve, check and handout, at once, with nothing written', async () => {
    const outDir = join(tmp, 'out');
    const t0 = Date.now();
    const solved = await cli('solve', big, '--out', outDir);
    expect(solved.code).toBe(2);
    expect(solved.stderr).toMatch(new RegExp(`^${escapeRegExp(big)}: the Markdown solution would be about [\\d.]+ GB of text \\(16,941,576 multiply-adds forward, each written out with its gradient\\), more than one JavaScript string can hold \\(537 MB\\); expected fewer or shorter examples or a smaller hidden_size\\n$`));
    expect(existsSync(outDir)).toBe(false);
    const checked = await cli('check', big, 'fixtures/seed-rnn-hand-answers.yaml');
    expect(checked.code).toBe(2);
    expect(checked.stderr).toMatch(/: solving it would take about [\d.]+ GB of memory \(16,941,576 multiply-adds forward, every product kept for BPTT\), more than this Node may use/);
    const spec = join(tmp, 'big-spec.yaml');
    writeFileSync(
      spec,
      [
        'model: {cell: gru, hidden_size: 32, input_size: 32}',
        'embeddings: {random: true}',
        'params: {W_z: {random: true}, b_z: {random: true}, W_r: {random: true}, b_r: {random: true}, W_h: {random: true}, b_h: {random: true}, W_hy: {random: true}, b_y: [0]}',
        'head: {activation: sigmoid, loss: bce}',
        `data: [{text: "${Array.from({ length: 80 }, (_, i) => `w${i % 7}`).join(' ')}", target: 1}]`,
        'questions: [loss]',
      ].join('\n'),
    );
    const handout = await cli('handout', spec, '--count', '2', '--format', 'html', '--out', join(tmp, 'handouts'));
    expect(handout.code).toBe(2);
    expect(handout.stderr).toMatch(new RegExp(`^${escapeRegExp(spec)}: the HTML solution would be about [\\d.]+ (GB|MB) of text \\(501,793 multiply-adds forward`));
    expect(existsSync(join(tmp, 'handouts'))).toBe(false);
    // refused before any work: well under the seconds the smallest of these would take
    expect(Date.now() - t0).toBeLessThan(20_000);
  }, 30_000);

  it('holds every variant of a handout to it, not only the first', async () => {
    // variants pick one of two texts: one token, or 256 (about 4 GB to solve, at H = D = 64)
    const spec = join(tmp, 'pick-spec.yaml');
    const long = Array.from({ length: 256 }, (_, i) => `w${i % 5}`).join(' ');
    const text = [
      'model: {cell: gru, hidden_size: 64, input_size: 64}',
      'embeddings: {random: true}',
      'params: {W_z: {random: true}, b_z: {random: true}, W_r: {random: true}, b_r: {random: true}, W_h: {random: true}, b_h: {random: true}, W_hy: {random: true}, b_y: [0]}',
      'head: {activation: sigmoid, loss: bce}',
      `data: {pick: 1, from: [{text: "w1", target: 1}, {text: "${long}", target: 0}]}`,
      'questions: [loss]',
    ].join('\n');
    writeFileSync(spec, text);
    // a seed whose first variant picks the short text and a later one the long
    const parsed = parseSpec(text, spec);
    const picks = (seed: number) => ['1', '2', '3', '4'].map((id) => makeVariant(parsed, variantSeed(String(seed), id), '').text.includes(long));
    const seed = Array.from({ length: 100 }, (_, k) => k + 1).find((k) => !picks(k)[0] && picks(k).includes(true))!;
    expect(seed).toBeDefined();
    const outDir = join(tmp, 'pick-handouts');
    const r = await cli('handout', spec, '--count', '4', '--seed', String(seed), '--jobs', '1', '--out', outDir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/: solving and writing it would take about [\d.]+ GB of memory \(6,35[\d,]+ multiply-adds forward/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(outDir)).toBe(false);
  }, 60_000);
});
