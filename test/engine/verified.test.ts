// Every number shown is right (DESIGN §3), also where digits are lost to cancellation:
// src/engine/verified.ts solves again at twice the precision when a shown value could be
// wrong, and takes the higher precision when it was.
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { Numeric, show } from '../../src/numeric/index.js';
import { loadProblem } from '../../src/problem/validate.js';
import { solve } from '../../src/engine/solve.js';
import { precisionNote, solveVerified } from '../../src/engine/verified.js';
import { entriesOf, type Trace } from '../../src/trace/types.js';
import { solveToText } from '../../src/run/solve.js';
import { cli } from '../helpers/cli.js';

const SATURATED = 'fixtures/lstm-saturated.yaml';
const at = (file: string) => (precision: number) => loadProblem(file, Numeric.at(precision));
/** every named value as shown at `decimals` places */
const shownAll = (trace: Trace, decimals: number): Map<string, string> => {
  const out = new Map<string, string>();
  for (const [id, v] of trace.quantities) entriesOf(v).forEach((x, i) => out.set(`${id}[${i + 1}]`, show(x, decimals).text));
  return out;
};
const fixtures = readdirSync('fixtures').filter((f) => f.endsWith('.yaml') && !f.includes('answers'));

describe('a saturated LSTM, whose gate derivatives cancel to values far below 10^-64', () => {
  it('at --precision 64, ∂L/∂g_pre would be shown 0.0000; it is solved at 128 digits and shown −2.359 × 10^-105', () => {
    const v = solveVerified(at(SATURATED), { precision: 64, decimals: 4 });
    expect(v.precision).toBe(128);
    expect(v.trace.precision).toBe(128);
    expect(v.firstWrong).toEqual({ id: 'ex1.t2.dg_pre[1]', shown: '0.0000', right: '-2.359e-105' });
    expect(v.wrongCount).toBeGreaterThan(10);
    expect(v.unchecked).toEqual([]);
    // the value is right to many digits: against a solve at 300
    const ref = solve(at(SATURATED)(300), { precision: 300 }).quantities.get('ex1.t2.dg_pre')!;
    const got = entriesOf(v.trace.quantities.get('ex1.t2.dg_pre')!)[0]!.v;
    const want = entriesOf(ref)[0]!.v;
    expect(got.minus(want).abs().lte(want.abs().times('1e-20')), `${got} vs ${want}`).toBe(true);
    expect(precisionNote(v, 64)).toBe(
      `note: at --precision 64, ${v.wrongCount} values would be shown wrong, their digits lost where nearly equal numbers cancel (ex1.t2.dg_pre[1]: 0.0000 instead of -2.359e-105, …); solved at 128 significant digits instead, where every value shown is right\n`,
    );
  });

  it('at --precision 32, ∂L/∂x would be shown −2.493 × 10^-60 where it is −3.740 × 10^-60', () => {
    const plain = solve(at(SATURATED)(32), { precision: 32 });
    expect(show(entriesOf(plain.quantities.get('ex1.t2.dx')!)[1]!, 4).text).toBe('-2.493e-60');
    const v = solveVerified(at(SATURATED), { precision: 32, decimals: 4 });
    expect(v.precision).toBe(128);
    expect(show(entriesOf(v.trace.quantities.get('ex1.t2.dx')!)[1]!, 4).text).toBe('-3.740e-60');
  });

  it('when no higher precision fits, keeps --precision and names the values it could not check', () => {
    const asked: number[] = [];
    const v = solveVerified(at(SATURATED), { precision: 64, decimals: 4, fits: (p) => (asked.push(p), false) });
    expect(asked).toEqual([128]);
    expect(v.precision).toBe(64);
    expect(v.wrongCount).toBe(0);
    expect(v.firstWrong).toBeNull();
    expect(v.unchecked).toContain('ex1.t2.dg_pre[1]');
    expect(precisionNote(v, 64)).toMatch(/^note: ex1\.t2\.\S+, ex1\.t2\.\S+, ex1\.t2\.\S+ and \d+ more may have lost digits where nearly equal numbers cancel, and could not be checked at a higher precision than 64\n$/);
  });

  it('hand arithmetic is solved once: every value is rounded to the decimals shown', () => {
    const v = solveVerified(at(SATURATED), { precision: 64, decimals: 4, hand: 4, fits: () => expect.fail('no second solve') });
    expect(v.precision).toBe(64);
  });

  it('the command says so on stderr, and the solution says which precision it was carried to', async () => {
    const r = await cli('solve', SATURATED, '--out', '-');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^note: at --precision 64, \d+ values would be shown wrong, their digits lost where nearly equal numbers cancel \(ex1\.t2\.dg_pre\[1\]: 0\.0000 instead of -2\.359e-105, …\); solved at 128 significant digits instead, where every value shown is right\n$/);
    expect(r.stdout).toContain('tanh, σ, exp and log were carried to 128 significant digits, so every digit shown is correct');
    expect(r.stdout).toContain('\\delta \\tilde{C}^{\\mathrm{pre}}_{2,1} &= \\delta \\tilde{C}_{2,1}\\,(1 - \\tilde{C}_{2,1}^2) \\approx -4.261 \\times 10^{-19} \\times (1 - (-1.0000)^2) \\approx -2.359 \\times 10^{-105}');
    const json = await cli('solve', SATURATED, '--format', 'json');
    expect((JSON.parse(json.stdout).quantities['ex1.t2.dg_pre'] as string[])[0]).toMatch(/^-2\.3585249558443\d{100,}e-105$/);
  });
});

describe('every fixture', () => {
  it.each(fixtures)('%s: at --precision 64 solved once, unless it is the saturated LSTM', (f) => {
    let second = false;
    const v = solveVerified(at(`fixtures/${f}`), { precision: 64, decimals: 4, fits: () => (second = true) });
    expect(second).toBe(f === 'lstm-saturated.yaml');
    expect(v.precision).toBe(f === 'lstm-saturated.yaml' ? 128 : 64);
  });

  // the lowest precisions allowed: every value shown as a solve at 300 digits shows it
  it.each(fixtures.flatMap((f) => [[f, 20, 10], [f, 20, 4], [f, 32, 4]] as const))('%s at --precision %i --decimals %i shows every value right', (f, precision, decimals) => {
    const v = solveVerified(at(`fixtures/${f}`), { precision, decimals });
    const got = shownAll(v.trace, decimals);
    const want = shownAll(solve(at(`fixtures/${f}`)(300), { precision: 300 }), decimals);
    const wrong = [...want].filter(([id, s]) => got.get(id) !== s).map(([id, s]) => `${id}: ${got.get(id)} instead of ${s}`);
    expect(wrong).toEqual([]);
  });
});

it('solveToText gives the note with the text (none for the seed)', () => {
  expect(solveToText({ problem: 'fixtures/seed-rnn-sentiment.yaml', format: 'json', out: null, decimals: 4, detail: 'full', precision: 64 }).note).toBeNull();
  expect(solveToText({ problem: SATURATED, format: 'json', out: null, decimals: 4, detail: 'full', precision: 64 }).note).toMatch(/^note: at --precision 64/);
});

it('goes no higher than 4 × --precision or 256 digits, whichever is more: from 20 the saturated LSTM needs 160', () => {
  const asked: number[] = [];
  const v = solveVerified(at(SATURATED), { precision: 20, decimals: 4, fits: (p) => (asked.push(p), true) });
  // 40, 80 and 160 each showed values of the one before differently; 256 shows 160's the same
  expect(asked).toEqual([40, 80, 160, 256]);
  expect(v.precision).toBe(160);
  expect(v.unchecked).toEqual([]);
  // a cap that stops it: the values still doubtful are named
  const capped: number[] = [];
  const w = solveVerified(at(SATURATED), { precision: 20, decimals: 4, fits: (p) => (capped.push(p), p <= 80) });
  expect(capped).toEqual([40, 80, 160]);
  expect(w.precision).toBe(80);
  expect(w.unchecked).toContain('ex1.t2.dg_pre[1]');
});
