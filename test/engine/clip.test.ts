// Gradient clipping by the global norm (`training.clip_norm: m`, DESIGN §6, §7): ‖g‖ over every
// entry of every parameter gradient (embeddings excluded), g·m/‖g‖ when ‖g‖ > m, the update
// from the clipped gradients. Checked against computations made here, independently of the
// engine: decimal.js on the reference's float64 gradients and on the engine's own 64-digit
// gradients, and a tiny problem whose gradients are known in closed form.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { Numeric, type Num } from '../../src/numeric/index.js';
import { loadProblem } from '../../src/problem/validate.js';
import { solve } from '../../src/engine/solve.js';
import type { Problem } from '../../src/problem/types.js';
import type { Trace, Value } from '../../src/trace/types.js';
import { solveToText } from '../../src/run/solve.js';
import { cli } from '../helpers/cli.js';
import { katexErrors } from '../render/math.js';

const PRECISION = 64;
const n = Numeric.at(PRECISION);
/** decimal.js at 120 digits: the independent arithmetic of these tests */
const D = Decimal.clone({ precision: 120 });
const SEED = 'fixtures/seed-rnn-sentiment.yaml';
const CLIP = 'fixtures/rnn-clip.yaml';
const PARAMS = ['W_xh', 'W_hh', 'b_h', 'W_hy', 'b_y'];

const flat = (v: Value): Num[] => (v.kind === 'scalar' ? [v.x] : v.kind === 'vec' ? v.x : v.x.flat());
const q = (tr: Trace, id: string): Value => {
  const v = tr.quantities.get(id);
  if (!v) throw new Error(`no quantity ${id}`);
  return v;
};
const dec = (x: Num) => new D(x.v.toString());
const scalar = (tr: Trace, id: string) => dec(flat(q(tr, id))[0]!);
/** |a − b| ≤ tol·(1 + |b|) */
const near = (a: Decimal, b: Decimal, tol: string, what: string) =>
  expect(a.minus(b).abs().lte(new D(tol).times(b.abs().plus(1))), `${what}: ${a} vs ${b}`).toBe(true);

const withClip = (p: Problem, m: string | null): Problem => ({ ...p, training: { ...p.training, clipNorm: m === null ? null : n.parse(m) } });
const seed = loadProblem(SEED, n);
const run = (p: Problem, hand: number | null = null) => solve(p, { precision: PRECISION, hand });

describe('the seed problem: the norm and the factor against an independent computation', () => {
  const plain = run(withClip(seed, null));
  const clipped = run(withClip(seed, '0.1'));
  const loose = run(withClip(seed, '100'));
  // ‖g‖ from the engine's own batch gradients, squared and summed at 120 digits
  const ownNorm = PARAMS.flatMap((p) => flat(q(plain, `grad.${p}`)).map(dec)).reduce((s, x) => s.plus(x.times(x)), new D(0)).sqrt();

  it('‖g‖ = √(Σ squares of every parameter gradient entry), embeddings excluded', () => {
    near(scalar(clipped, 'grad.norm'), ownNorm, '1e-60', 'grad.norm');
    expect(flat(q(clipped, 'grad.norm'))[0]!.exact).toBe(false);
    // the same norm from the independent float64 reference (test/reference/)
    const ref = JSON.parse(readFileSync('test/reference/seed-rnn-sentiment.json', 'utf8')).quantities as Record<string, number | number[] | number[][]>;
    const refNorm = PARAMS.flatMap((p) => [ref[`grad.${p}`]!].flat(2) as number[]).reduce((s, x) => s.plus(new D(x).pow(2)), new D(0)).sqrt();
    near(scalar(clipped, 'grad.norm'), refNorm, '1e-10', 'grad.norm vs reference');
    // the embeddings' gradients are not part of it
    const withEmb = [...PARAMS.map((p) => `grad.${p}`), ...[...seed.embeddings.keys()].map((t) => `grad.emb.${t}`)]
      .flatMap((id) => flat(q(plain, id)).map(dec))
      .reduce((s, x) => s.plus(x.times(x)), new D(0))
      .sqrt();
    expect(withEmb.minus(ownNorm).abs().gt(new D('1e-6'))).toBe(true);
  });

  it('the trace records each parameter’s squares and sum, the total and the factor m/‖g‖', () => {
    const c = clipped.batch.clip!;
    expect(c.id).toBe('grad.norm');
    expect(c.params.map((p) => p.param)).toEqual(PARAMS);
    for (const p of c.params) {
      const own = flat(q(plain, p.grad)).map(dec);
      expect(p.squares.length).toBe(own.length);
      near(dec(p.sum), own.reduce((s, x) => s.plus(x.times(x)), new D(0)), '1e-60', `Σ squares of ${p.grad}`);
    }
    near(dec(c.total), ownNorm.pow(2), '1e-60', 'total');
    expect(ownNorm.gt(new D('0.1'))).toBe(true);
    near(dec(c.factor!), new D('0.1').div(ownNorm), '1e-60', 'factor');
  });

  it('‖g‖ > m = 0.1: grad.clipped.<Param> = grad.<Param> · m/‖g‖, and the update uses it', () => {
    const factor = new D('0.1').div(ownNorm);
    const eta = new D('0.1');
    for (const p of PARAMS) {
      const g = flat(q(plain, `grad.${p}`)).map(dec);
      const c = flat(q(clipped, `grad.clipped.${p}`)).map(dec);
      const raw = seed.params.get(p)!;
      const w = (Array.isArray(raw[0]) ? (raw as Num[][]).flat() : (raw as Num[])).map(dec);
      const u = flat(q(clipped, `update.${p}`)).map(dec);
      g.forEach((gi, i) => {
        near(c[i]!, gi.times(factor), '1e-60', `grad.clipped.${p}[${i}]`);
        near(u[i]!, w[i]!.minus(eta.times(gi.times(factor))), '1e-60', `update.${p}[${i}]`);
      });
      expect(clipped.batch.updates.find((x) => x.id === `update.${p}`)!.grad).toBe(`grad.clipped.${p}`);
    }
    // the clipped gradients have norm m
    const norm = PARAMS.flatMap((p) => flat(q(clipped, `grad.clipped.${p}`)).map(dec)).reduce((s, x) => s.plus(x.times(x)), new D(0)).sqrt();
    near(norm, new D('0.1'), '1e-60', '‖clipped‖');
  });

  it('embeddings keep their unclipped gradients (they are outside the norm)', () => {
    for (const t of seed.embeddings.keys()) {
      expect(flat(q(clipped, `grad.emb.${t}`)).map(dec).map(String)).toEqual(flat(q(plain, `grad.emb.${t}`)).map(dec).map(String));
      expect(flat(q(clipped, `update.emb.${t}`)).map(dec).map(String)).toEqual(flat(q(plain, `update.emb.${t}`)).map(dec).map(String));
    }
  });

  it('‖g‖ ≤ m = 100: no clipping; grad.clipped.* are the gradients and the update is the unclipped one', () => {
    expect(loose.batch.clip!.factor).toBeNull();
    near(scalar(loose, 'grad.norm'), ownNorm, '1e-60', 'grad.norm');
    for (const p of PARAMS) {
      expect(flat(q(loose, `grad.clipped.${p}`)).map(dec).map(String)).toEqual(flat(q(plain, `grad.${p}`)).map(dec).map(String));
      expect(flat(q(loose, `update.${p}`)).map(dec).map(String)).toEqual(flat(q(plain, `update.${p}`)).map(dec).map(String));
    }
  });

  it('without clip_norm there is no grad.norm or grad.clipped.*', () => {
    expect(plain.batch.clip).toBeNull();
    expect([...plain.quantities.keys()].filter((id) => /^grad\.(norm|clipped)/.test(id))).toEqual([]);
  });

  it('quantities come in solution order: grad.*, then grad.norm, grad.clipped.*, then update.*', () => {
    const ids = [...clipped.quantities.keys()];
    const at = (id: string) => ids.indexOf(id);
    expect(at('grad.norm')).toBeGreaterThan(Math.max(...ids.filter((id) => /^grad\.(?!norm|clipped)/.test(id)).map(at)));
    expect(PARAMS.map((p) => at(`grad.clipped.${p}`))).toEqual(PARAMS.map((_, i) => at('grad.norm') + 1 + i));
    expect(Math.min(...ids.filter((id) => id.startsWith('update.')).map(at))).toBeGreaterThan(at('grad.clipped.b_y'));
  });
});

describe('a tiny problem whose gradients are known in closed form', () => {
  // x₁ = 1, z₁ = 0.5·1 − 0.5 = 0 so h₁ = tanh(0) = 0 and tanh′ = 1: every gradient is exact.
  // s = w·h₁ + b_y = 0.5; with δs = ∂L/∂s: ∇b_y = δs, ∇W_hy = δs·h₁ = 0, ∇W_xh = ∇b_h = w·δs,
  // ∇W_hh = 0 (h₀ = 0). With w = 2: ‖g‖² = δs²(1 + 4 + 4) = 9δs², ‖g‖ = 3|δs| — exact.
  let tmp: string;
  beforeAll(() => void (tmp = mkdtempSync(join(tmpdir(), 'unrolled-clip-'))));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const problem = (m: string) => {
    const file = join(tmp, `tiny-${m}.yaml`);
    writeFileSync(
      file,
      [
        'model: { cell: rnn, hidden_size: 1 }',
        'params:',
        '  W_xh: [[0.5]]',
        '  W_hh: [[0.3]]',
        '  b_h: [-0.5]',
        '  W_hy: [[2]]',
        '  b_y: [0.5]',
        'head: { activation: identity, loss: mse, output_at: last }',
        'data:',
        '  - inputs: [[1]]',
        '    target: 0.2',
        `training: { clip_norm: ${m}, learning_rate: 0.5 }`,
        '',
      ].join('\n'),
    );
    return file;
  };

  it('‖g‖ = 3|δs| exactly; clipped at m = 0.1, not at m = 10', () => {
    for (const m of ['0.1', '10']) {
      const tr = run(loadProblem(problem(m), n));
      const ds = scalar(tr, 'grad.b_y');
      expect(ds.isZero()).toBe(false);
      expect(flat(q(tr, 'grad.W_hh')).every((x) => x.exact && x.v.isZero())).toBe(true);
      const norm = flat(q(tr, 'grad.norm'))[0]!;
      expect(norm.exact).toBe(true);
      expect(dec(norm).eq(ds.abs().times(3))).toBe(true);
      const factor = new D(m).div(ds.abs().times(3));
      const clips = factor.lt(1);
      expect(tr.batch.clip!.factor === null).toBe(!clips);
      const f = clips ? factor : new D(1);
      near(scalar(tr, 'grad.clipped.b_y'), ds.times(f), '1e-60', 'grad.clipped.b_y');
      near(dec(flat(q(tr, 'grad.clipped.W_xh'))[0]!), ds.times(2).times(f), '1e-60', 'grad.clipped.W_xh');
      near(scalar(tr, 'update.b_y'), new D('0.5').minus(new D('0.5').times(ds).times(f)), '1e-60', 'update.b_y');
    }
  });

  it('renders ‖g‖ = √(…) with = where it is exact, the comparison with m and the factor', () => {
    for (const m of ['0.1', '10']) {
      const tr = run(loadProblem(problem(m), n));
      const norm = flat(q(tr, 'grad.norm'))[0]!.v.toString();
      const total = tr.batch.clip!.total.v.toString();
      const md = solveToText({ problem: problem(m), format: 'md', out: null, decimals: 4, detail: 'full', precision: PRECISION }).text;
      expect(md).toContain(`\\lVert \\nabla \\mathcal{L} \\rVert = \\sqrt{ ${total} } = ${norm}`);
      expect(md).toContain('`grad.norm`');
      if (m === '0.1') {
        expect(md).toContain(`\\lVert \\nabla \\mathcal{L} \\rVert = ${norm} > m = 0.1$, the gradients are clipped`);
        expect(md).toContain(`\\frac{m}{\\lVert \\nabla \\mathcal{L} \\rVert} = \\frac{ 0.1 }{ ${norm} }`);
        expect(md).toContain('b_{y}\' = b_{y} - \\eta\\, \\tilde{\\nabla}_{b_{y}} \\mathcal{L}$');
      } else {
        expect(md).toContain(`\\lVert \\nabla \\mathcal{L} \\rVert = ${norm} \\le m = 10$, nothing is clipped`);
        expect(md).toContain('$\\tilde{\\nabla}_{b_{y}} \\mathcal{L} = \\nabla_{b_{y}} \\mathcal{L}$ · `grad.clipped.b_y`');
      }
      expect(katexErrors(md)).toEqual([]);
    }
  });
});

describe(`${CLIP}: the command line`, () => {
  it('solve --format json has grad.norm and grad.clipped.<Param>, between grad.* and update.*', async () => {
    const r = await cli('solve', CLIP, '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const qs = JSON.parse(r.stdout).quantities as Record<string, unknown>;
    const ids = Object.keys(qs);
    expect(typeof qs['grad.norm']).toBe('string');
    expect(Number(qs['grad.norm'])).toBeGreaterThan(0.1);
    for (const p of PARAMS) expect(ids).toContain(`grad.clipped.${p}`);
    expect(ids.indexOf('grad.norm')).toBeGreaterThan(ids.indexOf('grad.emb.good'));
    expect(ids.indexOf('grad.clipped.b_y')).toBeLessThan(ids.indexOf('update.W_xh'));
  });

  it('the solution shows the norm term by term, the factor, the clipped gradients and the update from them', () => {
    const md = solveToText({ problem: CLIP, format: 'md', out: null, decimals: 4, detail: 'full', precision: PRECISION }).text;
    expect(md).toContain('### Gradient clipping ($m = 0.1$)');
    expect(md).toContain('\\lVert \\nabla_{W_{xh}} \\mathcal{L} \\rVert^2 &\\approx 0.2290^2 + 0.1432^2 \\\\ &\\qquad + (-0.1194)^2 + (-0.0705)^2 \\\\\n&\\approx 0.0922');
    expect(md).toContain('\\underbrace{ 0.2787 }_{ b_{y} }');
    expect(md).toContain('\\lVert \\nabla \\mathcal{L} \\rVert \\approx \\sqrt{ 0.7143 } \\approx 0.8451');
    expect(md).toContain('\\frac{m}{\\lVert \\nabla \\mathcal{L} \\rVert} \\approx \\frac{ 0.1 }{ 0.8451 } \\approx 0.1183');
    expect(md).toContain('\\tilde{\\nabla}_{b_{h}} \\mathcal{L} \\approx 0.1183 \\times \\begin{bmatrix} 0.4656 \\\\ -0.2064 \\end{bmatrix} \\approx \\begin{bmatrix} 0.0551 \\\\ -0.0244 \\end{bmatrix}');
    expect(md).toContain('b_{h}\' \\approx \\begin{bmatrix} 0 \\\\ 0.1 \\end{bmatrix} - 0.5 \\times \\begin{bmatrix} 0.0551 \\\\ -0.0244 \\end{bmatrix}');
    expect(md).toContain('The embeddings are not part of the norm and are not rescaled.');
    expect(md).toContain('e(\\text{good})\' = e(\\text{good}) - \\eta\\, \\nabla_{e(\\text{good})} \\mathcal{L}$');
    for (const id of ['grad.norm', ...PARAMS.map((p) => `grad.clipped.${p}`)]) expect(md).toContain('· `' + id + '`');
  });

  // ‖g‖ = 0.84514971955…: 0.8451 at 4 decimals, 0.84515 at 5, 0.8451497 at 7
  it.each([
    ['0.1', 4, '\\approx 0.8451 > m = 0.1$, the gradients are clipped'],
    ['0.845', 4, '\\approx 0.8451 > m = 0.845$, the gradients are clipped'],
    // 0.8451 would read as equal to m, and then as below it
    ['0.8451', 4, '\\approx 0.84515 > m = 0.8451$, the gradients are clipped'],
    ['0.845149', 4, '\\approx 0.84515 > m = 0.845149$, the gradients are clipped'],
    ['0.84515', 4, '\\approx 0.8451 \\le m = 0.84515$, nothing is clipped'],
    // 0.84515 and 0.845150 would read as above m
    ['0.845149721', 5, '\\approx 0.8451497 \\le m = 0.845149721$, nothing is clipped'],
    // m is shown with all of its decimals, not rounded to the solution's
    ['0.00005', 4, '\\approx 0.8451 > m = 0.00005$, the gradients are clipped'],
  ])('compares ‖g‖ with m = %s (--decimals %i) in as many decimals as it takes to be seen true', (m, decimals, sentence) => {
    const dir = mkdtempSync(join(tmpdir(), 'unrolled-clip-m-'));
    try {
      const file = join(dir, 'clip.yaml');
      writeFileSync(file, readFileSync(CLIP, 'utf8').replace(/clip_norm: 0\.1\b/, `clip_norm: ${m}`));
      const md = solveToText({ problem: file, format: 'md', out: null, decimals, detail: 'full', precision: PRECISION }).text;
      expect(md).toContain(`Since $\\lVert \\nabla \\mathcal{L} \\rVert ${sentence}`);
      expect(md).toContain(`### Gradient clipping ($m = ${m}$)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('check accepts answers for grad.norm and grad.clipped.*, and carries an error in the norm forward', async () => {
    const tr = run(loadProblem(CLIP, n));
    const r4 = (x: Num) => Number(x.v.toFixed(4, 4));
    const norm = flat(q(tr, 'grad.norm'))[0]!;
    const tmp = mkdtempSync(join(tmpdir(), 'unrolled-clip-check-'));
    try {
      const right = join(tmp, 'right.yaml');
      writeFileSync(right, `grad.norm: ${r4(norm)}\ngrad.clipped.b_h: [${flat(q(tr, 'grad.clipped.b_h')).map(r4).join(', ')}]\ngrad.clipped.W_hy[1][2]: ${r4(flat(q(tr, 'grad.clipped.W_hy'))[1]!)}\n`);
      let res = await cli('check', CLIP, right, '--decimals', '4', '--format', 'json');
      expect(res.stderr).toBe('');
      let rep = JSON.parse(res.stdout) as { entries: { id: string; verdict: string; first_error: string | null }[] };
      expect(rep.entries.map((e) => [e.id, e.verdict])).toEqual([
        ['grad.norm', 'right'],
        ['grad.clipped.b_h[1]', 'right'],
        ['grad.clipped.b_h[2]', 'right'],
        ['grad.clipped.W_hy[1][1]', 'unanswered'],
        ['grad.clipped.W_hy[1][2]', 'right'],
      ]);
      // a wrong norm (1 instead of 0.8451…) and clipped gradients computed from it: ECF
      const g = flat(q(tr, 'grad.b_h')).map(dec);
      const wrong = join(tmp, 'wrong.yaml');
      writeFileSync(wrong, `grad.norm: 1\ngrad.clipped.b_h: [${g.map((x) => x.times('0.1').toDecimalPlaces(4).toString()).join(', ')}]\n`);
      res = await cli('check', CLIP, wrong, '--decimals', '4', '--format', 'json');
      expect(res.code).toBe(1);
      rep = JSON.parse(res.stdout);
      expect(rep.entries.map((e) => [e.id, e.verdict, e.first_error])).toEqual([
        ['grad.norm', 'wrong', 'grad.norm'],
        ['grad.clipped.b_h[1]', 'ecf', 'grad.norm'],
        ['grad.clipped.b_h[2]', 'ecf', 'grad.norm'],
      ]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('hand arithmetic: the norm and the factor are rounded, the clipped gradients are factor × the rounded gradients', () => {
    const tr = run(loadProblem(CLIP, n), 4);
    const norm = flat(q(tr, 'grad.norm'))[0]!;
    expect(norm.v.decimalPlaces()).toBeLessThanOrEqual(4);
    const factor = tr.batch.clip!.factor!;
    expect(factor.v.toString()).toBe(new D('0.1').div(dec(norm)).toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toString());
    const g = flat(q(tr, 'grad.b_h')).map(dec);
    flat(q(tr, 'grad.clipped.b_h')).forEach((c, i) => expect(dec(c).toString()).toBe(g[i]!.times(dec(factor)).toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toString()));
    const md = solveToText({ problem: CLIP, format: 'md', out: null, decimals: 4, detail: 'full', precision: PRECISION, arithmetic: 'hand' }).text;
    expect(md).toContain('`grad.norm`');
    expect(katexErrors(md)).toEqual([]);
  });

  it('renders with only KaTeX-valid math at every detail level', () => {
    for (const detail of ['full', 'standard', 'brief'] as const) {
      const md = solveToText({ problem: CLIP, format: 'md', out: null, decimals: 4, detail, precision: PRECISION }).text;
      expect(md).toContain('`grad.norm`');
      expect(katexErrors(md)).toEqual([]);
    }
  });
});
