// --arithmetic hand: every computed quantity rounded to --decimals before it is used further.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { solveToText } from '../../src/run/solve.js';

const SEED = 'fixtures/seed-rnn-sentiment.yaml';
const run = (decimals: number, arithmetic: 'exact' | 'hand', format: 'json' | 'md' = 'json') =>
  solveToText({ problem: SEED, format, out: null, decimals, detail: 'full', precision: 64, arithmetic }).text;
const quantities = (decimals: number, arithmetic: 'exact' | 'hand') =>
  JSON.parse(run(decimals, arithmetic)).quantities as Record<string, string | string[] | string[][]>;
const flat = (v: unknown): string[] => (Array.isArray(v) ? v.flatMap(flat) : [String(v)]);

describe('hand arithmetic on the seed example, 3 decimals', () => {
  const q = quantities(3, 'hand');
  /** the course notes' own hand calculation (fixtures/seed-rnn-hand-answers.yaml) */
  const notes = parse(readFileSync('fixtures/seed-rnn-hand-answers.yaml', 'utf8')) as Record<string, unknown>;

  it('stores every computed quantity with at most 3 decimals', () => {
    for (const [id, v] of Object.entries(q)) {
      for (const x of flat(v)) expect(x, id).toMatch(/^-?\d+(\.\d{1,3})?$/);
    }
  });

  it('lands on the notes wherever the notes rounded correctly', () => {
    for (const id of ['ex1.t1.z', 'ex1.t4.z', 'ex1.t6.s', 'ex1.t6.yhat', 'ex1.t6.dh', 'ex1.t5.dh', 'ex1.t5.dz']) {
      expect(flat(q[id]).map(Number), id).toEqual(flat(notes[id]).map(Number));
    }
    expect(flat(q['ex1.t2.z'])[0]).toBe('0.426');
    expect(flat(q['ex1.t1.h'])[0]).toBe('0.226');
  });

  it('differs from the notes exactly at their slips', () => {
    // tanh(0.32) = 0.30950… rounds to 0.310 (the notes wrote 0.309); tanh(0.27) = 0.26362… to 0.264 (0.263)
    expect(flat(q['ex1.t1.h'])).toEqual(['0.226', '0.31', '0.264']);
    expect(flat(notes['ex1.t1.h'])).toEqual(['0.226', '0.309', '0.263']);
    // −log 0.685 = 0.37834… rounds to 0.378 (the notes wrote 0.377)
    expect(q['ex1.loss']).toBe('0.378');
    expect(notes['ex1.loss']).toBe(0.377);
  });

  it('rounds the backward pass and the sums too', () => {
    expect(q['ex1.t6.ds']).toEqual(['-0.315']); // ŷ − y = 0.685 − 1
    expect(flat(q['grad.W_hy']).every((x) => /^-?\d+\.\d{1,3}$/.test(x))).toBe(true);
  });
});

describe('hand against exact arithmetic', () => {
  const hand = quantities(4, 'hand');
  const exact = quantities(4, 'exact');
  it('drifts only in the last places at 4 decimals', () => {
    for (const id of ['ex1.t6.h', 'ex1.loss', 'loss', 'grad.W_xh', 'update.W_hh']) {
      const a = flat(hand[id]).map(Number);
      const b = flat(exact[id]).map(Number);
      a.forEach((x, i) => expect(Math.abs(x - b[i]!), id).toBeLessThan(2e-3));
    }
    expect(hand['ex1.t6.h']).not.toEqual(exact['ex1.t6.h']);
  });
  it('is the same as exact arithmetic where nothing needed rounding', () => {
    expect(hand['ex1.t1.z']).toEqual(exact['ex1.t1.z']);
  });
});

describe('hand arithmetic in the worked solution', () => {
  const md = run(3, 'hand', 'md');
  it('says so at the top', () => {
    expect(md).toContain('> **Hand arithmetic.** As when computing by hand, every quantity is rounded to 3 decimal places');
    expect(md).not.toContain('Nothing was rounded along the way');
  });
  it('writes ≈ where a value is rounded and = for arithmetic on rounded values', () => {
    expect(md).toContain('h_{2,1} &= \\tanh(0.426) \\approx 0.402');
    expect(md).toContain('(W_{hh} h_{1})_{1} &= 0.3 \\times 0.226 + 0.2 \\times 0.31 + 0.1 \\times 0.264 \\approx 0.156');
  });
});

import { katexErrors } from '../render/math.js';
describe('hand arithmetic math', () => {
  it('is KaTeX-valid for every detail level', () => {
    for (const detail of ['full', 'standard', 'brief'] as const) {
      const md = solveToText({ problem: SEED, format: 'md', out: null, decimals: 3, detail, precision: 64, arithmetic: 'hand' }).text;
      expect(katexErrors(md)).toEqual([]);
    }
  });
});
