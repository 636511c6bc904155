// `unrolled check` (DESIGN §7, §8): answers judged against the exact solution, with error
// carried forward through a replay of the whole solution on the student's own values.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, checkJson, engineered } from './helpers.js';
import { solveToText } from '../../src/run/solve.js';

const SEED = 'fixtures/seed-rnn-sentiment.yaml';
const NOTES = 'fixtures/seed-rnn-hand-answers.yaml';
const WRONG_H2 = 'fixtures/seed-rnn-wrong-h2-answers.yaml';
const LSTM = 'test/reference/lstm-textbook-small.yaml';
const GRU = 'test/reference/gru-pytorch-small.yaml';

let tmp: string;
beforeAll(() => void (tmp = mkdtempSync(join(tmpdir(), 'unrolled-check-'))));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};

describe('the course notes’ hand calculation (fixtures/seed-rnn-hand-answers.yaml)', async () => {
  const { run, report, byId } = await checkJson(SEED, NOTES);
  const verdict = (id: string) => byId.get(id)?.verdict;
  const first = (id: string) => byId.get(id)?.first_error;

  it('exits 1 (some answers are not right) and scores right + ½·ECF over the answered entries', () => {
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toBe('');
    const count = (v: string) => report.entries.filter((e) => e.verdict === v).length;
    expect([count('right'), count('ecf'), count('wrong'), count('unanswered')]).toEqual([50, 16, 11, 0]);
    expect(report.max).toBe(77);
    expect(report.score).toBe(58);
  });

  it('the slips of h_1: tanh(0.32) = 0.30950… is 0.310, not 0.309; tanh(0.27) = 0.26362… is 0.264, not 0.263', () => {
    expect(verdict('ex1.t1.z[1]')).toBe('right'); // 0.23 exactly
    expect(verdict('ex1.t1.h[1]')).toBe('right'); // tanh(0.23) = 0.22602…
    expect(byId.get('ex1.t1.h[2]')).toEqual({ id: 'ex1.t1.h[2]', given: '0.309', expected: '0.30950692…', verdict: 'wrong', first_error: 'ex1.t1.h[2]' });
    expect(verdict('ex1.t1.h[3]')).toBe('wrong');
  });

  it('z_2[2] = 0.709 follows from the notes’ own h_1 (0.5·0.226 + 0.4·0.309 + 0.2·0.263 + 0.32 + 0.1 = 0.7092): ECF', () => {
    expect(verdict('ex1.t2.z[2]')).toBe('ecf');
    expect(first('ex1.t2.z[2]')).toBe('ex1.t1.h[2]');
    // the other entries of z_2 and all of h_2 are right despite the slip
    for (const id of ['ex1.t2.z[1]', 'ex1.t2.z[3]', 'ex1.t2.h[1]', 'ex1.t2.h[2]', 'ex1.t2.h[3]']) expect(verdict(id), id).toBe('right');
  });

  it('rounding drift from right answers is not an earlier error: z_3[2] = 0.799 (0.7996… is right) is wrong', () => {
    // from the notes' own (right, rounded) h_2 it would be 0.7994; nothing wrong came before it
    expect(verdict('ex1.t3.z[2]')).toBe('wrong');
    // h_3[1] = tanh(0.55) = 0.5005… rounds to 0.501, but z_3[1] is 0.54992… so h_3[1] is 0.500: wrong
    expect(verdict('ex1.t3.h[1]')).toBe('wrong');
    // h_3[2] = tanh(0.799) = 0.6632: follows from the wrong z_3[2]
    expect(verdict('ex1.t3.h[2]')).toBe('ecf');
    expect(first('ex1.t3.h[2]')).toBe('ex1.t3.z[2]');
  });

  it('h_4[1] = 0.570 is wrong even from the notes’ own z_4[1] = 0.646 (tanh 0.646 = 0.5690…)', () => {
    expect(verdict('ex1.t4.z[1]')).toBe('right');
    expect(verdict('ex1.t4.h[1]')).toBe('wrong');
    expect(verdict('ex1.t5.z[1]')).toBe('ecf');
    expect(first('ex1.t5.z[1]')).toBe('ex1.t4.h[1]');
  });

  it('the loss 0.377 is wrong even from the notes’ own ŷ = 0.685 (−log 0.685 = 0.3783…)', () => {
    expect(verdict('ex1.t6.yhat[1]')).toBe('right');
    expect(byId.get('ex1.loss')).toMatchObject({ given: '0.377', verdict: 'wrong', first_error: 'ex1.loss' });
    expect(byId.get('ex1.loss')!.expected).toMatch(/^0\.3780\d+…$/);
  });

  it('δs = ŷ − y = −0.315, not −0.316 (wrong); what the notes derive from −0.316 is ECF', () => {
    expect(verdict('ex1.t6.ds[1]')).toBe('wrong');
    // δh_6[1] = 0.3 · (−0.316) = −0.0948 → −0.095; exact −0.0945… → −0.094
    expect(verdict('ex1.t6.dh[1]')).toBe('ecf');
    expect(first('ex1.t6.dh[1]')).toBe('ex1.t6.ds[1]');
    expect(verdict('ex1.db_y[1]')).toBe('ecf');
    expect(first('ex1.db_y[1]')).toBe('ex1.t6.ds[1]');
    // δW_hy[1][1] = δs · h_6[1] = −0.316 · 0.667 (right) = −0.2108: the error is δs's
    expect(first('ex1.dW_hy[1][1]')).toBe('ex1.t6.ds[1]');
    expect(verdict('ex1.dW_hy[1][2]')).toBe('right');
    // δW_hh(6)[3][1] = δz_6[3] · h_5[1] = −0.049 · 0.605 (both right) = −0.0296 → −0.030, exact −0.0294…:
    // drift, no earlier error reaches it (h_5[3] wrong does not enter this entry)
    expect(verdict('ex1.t6.dW_hh[3][1]')).toBe('wrong');
    // δW_hh(6)[1][3] = δz_6[1] (ECF from δs) · h_5[3] (wrong): the earlier of the two
    expect(verdict('ex1.t6.dW_hh[1][3]')).toBe('ecf');
    expect(first('ex1.t6.dW_hh[1][3]')).toBe('ex1.t5.h[3]');
  });

  it('the timestep-6 gradients of W_xh are right throughout', () => {
    for (let i = 1; i <= 3; i++) for (let j = 1; j <= 3; j++) expect(verdict(`ex1.t6.dW_xh[${i}][${j}]`)).toBe('right');
  });

  it('text: one line per answered entry (✓, ✗ or ECF, given, expected, difference) and a summary', async () => {
    const r = await cli('check', SEED, NOTES);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1 + 77 + 1);
    expect(lines.find((l) => l.includes('ex1.t1.h[2]'))).toMatch(/^✗\s+ex1\.t1\.h\[2\]\s+0\.309\s+expected 0\.310\s+diff −0\.00051$/);
    expect(lines.find((l) => l.includes('ex1.t2.z[2]'))).toMatch(/^ECF ex1\.t2\.z\[2\]\s+0\.709\s+expected 0\.710\s+diff −0\.00054\s+ECF: 0\.709 from your earlier values \(follows from ex1\.t1\.h\[2\]\)$/);
    expect(lines.find((l) => l.includes('ex1.t1.h[1]'))).toMatch(/^✓/);
    expect(lines.at(-1)).toBe('Score 58 / 77: 50 right, 16 follow from an earlier error (ECF, 0.5 each), 11 wrong.');
  });

  it('md: a table for the student', async () => {
    const r = await cli('check', SEED, NOTES, '--format', 'md');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('| ✗ | `ex1.t1.h[2]` | 0.309 | 0.310 | −0.00051 | wrong |');
    expect(r.stdout).toContain('| ECF | `ex1.t2.z[2]` | 0.709 | 0.710 | −0.00054 | follows from your earlier error in `ex1.t1.h[2]`: from your own values this is 0.709 |');
    expect(r.stdout).toContain('Score 58 / 77');
  });
});

describe('one slip, then everything computed right from it', () => {
  it('seed: h_2[2] = 0.71 is wrong once; h_3 … and the gradients are ECF (fixtures/seed-rnn-wrong-h2-answers.yaml)', async () => {
    const { run, report } = await checkJson(SEED, WRONG_H2);
    expect(run.code).toBe(1);
    const wrong = report.entries.filter((e) => e.verdict === 'wrong').map((e) => e.id);
    expect(wrong).toEqual(['ex1.t2.h[2]']);
    expect(report.entries.filter((e) => e.verdict === 'unanswered')).toEqual([]);
    const ecf = report.entries.filter((e) => e.verdict === 'ecf');
    for (const e of ecf) expect(e.first_error, e.id).toBe('ex1.t2.h[2]');
    const ecfIds = ecf.map((e) => e.id);
    for (const q of ['ex1.t3.z', 'ex1.t3.h', 'ex1.t4.h', 'ex1.t5.h', 'ex1.t6.h']) {
      for (let i = 1; i <= 3; i++) expect(ecfIds, `${q}[${i}]`).toContain(`${q}[${i}]`);
    }
    expect(ecfIds).toContain('ex1.db_h[1]');
    // what the slip does not reach (h_1, the other entries of h_2) is right
    for (const id of ['ex1.t1.h[1]', 'ex1.t1.h[2]', 'ex1.t2.h[1]', 'ex1.t2.h[3]']) expect(report.entries.find((e) => e.id === id)!.verdict, id).toBe('right');
  });

  it('seed, judged to 4 decimals: the loss, δh_6 and the W_hh gradients follow from the slip too', async () => {
    const { report, byId } = await checkJson(SEED, WRONG_H2, '--decimals', '4');
    // grad.W_hh[1][1] = the student's right −0.0488 for example 1 + example 2's 0.11106… (not
    // answered) = 0.06226… → 0.0623, where the exact 0.06222… is 0.0622: 4-decimal rounding drift,
    // with no earlier error in it (ex1.dW_hh[1][1] is right), so wrong at 4 decimals
    expect(report.entries.filter((e) => e.verdict === 'wrong').map((e) => e.id)).toEqual(['ex1.t2.h[2]', 'grad.W_hh[1][1]']);
    expect(byId.get('ex1.loss')).toMatchObject({ verdict: 'ecf', first_error: 'ex1.t2.h[2]' });
    expect(byId.get('loss')).toMatchObject({ verdict: 'ecf', first_error: 'ex1.t2.h[2]' });
    expect(byId.get('ex1.t6.dh[3]')!.verdict).toBe('ecf');
    expect(byId.get('ex1.dW_hh[1][2]')!.verdict).toBe('ecf');
    expect(byId.get('grad.W_hh[1][2]')!.verdict).toBe('ecf');
    expect(report.entries.filter((e) => e.verdict === 'ecf').length).toBeGreaterThan(30);
    expect(report.entries.filter((e) => e.verdict !== 'right' && e.verdict !== 'wrong').every((e) => e.verdict === 'ecf' && e.first_error === 'ex1.t2.h[2]')).toBe(true);
  });

  for (const [name, problem, ids, slip, must] of [
    [
      'LSTM (textbook)',
      LSTM,
      ['ex1.t1.h', 'ex1.t2.f', 'ex1.t2.c', 'ex1.t2.h', 'ex1.t2.yhat', 'ex1.loss', 'ex1.t1.dc', 'ex1.dW_f', 'grad.W_o', 'update.b_o'],
      { id: 'ex1.t1.c', idx: [0], value: '0.5' },
      ['ex1.t1.h[1]', 'ex1.t2.c[1]', 'ex1.t2.h[1]', 'ex1.loss'],
    ],
    [
      'GRU (pytorch)',
      GRU,
      ['ex1.t3.r', 'ex1.t3.hn', 'ex1.t3.n', 'ex1.t3.h', 'ex1.t3.yhat', 'ex1.loss', 'ex1.t2.dh', 'grad.weight_hh', 'grad.bias_ih'],
      { id: 'ex1.t2.h', idx: [0], value: '0.5' },
      ['ex1.t3.hn[1]', 'ex1.t3.h[1]', 'ex1.loss'],
    ],
  ] as const) {
    it(`${name}: the slip is the one wrong answer, and what follows is right or ECF back to it`, async () => {
      const answers = file(`${name.replace(/\W+/g, '-')}.json`, engineered(problem, [...ids], { ...slip, idx: [...slip.idx] }));
      const { run, report, byId } = await checkJson(problem, answers, '--decimals', '4');
      expect(run.code, run.stderr).toBe(1);
      const key = `${slip.id}[${slip.idx[0]! + 1}]`;
      expect(report.entries.filter((e) => e.verdict === 'wrong').map((e) => e.id)).toEqual([key]);
      const ecf = report.entries.filter((e) => e.verdict === 'ecf');
      expect(ecf.length).toBeGreaterThan(5);
      for (const e of ecf) expect(e.first_error, e.id).toBe(key);
      for (const id of must) expect(byId.get(id)?.verdict, id).toBe('ecf');
    });
  }
});

describe('tolerances', () => {
  const answers = () => file('h1.yaml', 'ex1.t1.h: [0.226, 0.309, 0.263]\n');
  const verdicts = async (...flags: string[]) => (await checkJson(SEED, answers(), ...flags)).report.entries.map((e) => e.verdict);

  it('--decimals k (default 3): right iff |given − exact| ≤ ½·10⁻ᵏ', async () => {
    expect(await verdicts()).toEqual(['right', 'wrong', 'wrong']);
    expect(await verdicts('--decimals', '3')).toEqual(['right', 'wrong', 'wrong']);
    expect(await verdicts('--decimals', '2')).toEqual(['right', 'right', 'right']);
    expect(await verdicts('--decimals', '4')).toEqual(['right', 'wrong', 'wrong']); // 0.226 − 0.22602… = −0.000028 ≤ 0.00005
    expect(await verdicts('--decimals', '5')).toEqual(['wrong', 'wrong', 'wrong']);
  });

  it('--tolerance T (absolute) and --rtol R (relative): right iff ≤ max(T, R·|exact|)', async () => {
    // differences: −0.000028, −0.000507, −0.000624; exact values 0.22602, 0.30951, 0.26362
    expect(await verdicts('--tolerance', '0.0005')).toEqual(['right', 'wrong', 'wrong']);
    expect(await verdicts('--tolerance', '0.00051')).toEqual(['right', 'right', 'wrong']);
    expect(await verdicts('--tolerance', '1e-5')).toEqual(['wrong', 'wrong', 'wrong']);
    expect(await verdicts('--rtol', '0.002')).toEqual(['right', 'right', 'wrong']); // 0.002·0.2636 = 0.000527 < 0.000624
    expect(await verdicts('--rtol', '0.0024')).toEqual(['right', 'right', 'right']);
    expect(await verdicts('--rtol', '0.002', '--tolerance', '0.0007')).toEqual(['right', 'right', 'right']);
  });

  it('expects the values of the verified solution: a saturated gate’s derivative is −2.36e-105, not 0 (src/engine/verified.ts)', async () => {
    const r = await cli('check', 'fixtures/lstm-saturated.yaml', file('saturated.yaml', 'ex1.t2.dg_pre: [0, 0]\nloss: 0.001\n'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✓   ex1.t2.dg_pre[1]      0  expected -2.36e-105  diff +2.4e-105\n');
    expect(r.stdout).toContain('✗   loss              0.001  expected 8.52e-21    diff +0.001\n');
    expect(r.stderr).toMatch(/^note: at --precision 64, 42 values would be shown wrong, their digits lost where nearly equal numbers cancel \(ex1\.t2\.dg_pre\[1\]: 0\.000 instead of -2\.36e-105, …\); solved at 128 significant digits instead, where every value shown is right\n$/);
  });

  it('a bad tolerance is bad input', async () => {
    for (const flags of [['--tolerance', 'abc'], ['--rtol', '-1'], ['--decimals', '2.5'], ['--ecf-credit', '2']]) {
      const r = await cli('check', SEED, answers(), ...flags);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });
});

describe('--arithmetic hand', () => {
  const hand = () => file('hand3.json', solveToText({ problem: SEED, format: 'json', out: null, decimals: 3, detail: 'full', precision: 64, arithmetic: 'hand' }).text);

  it('a student who rounds every step to 3 decimals, as `solve --arithmetic hand --decimals 3` does, is all right', async () => {
    const { run, report } = await checkJson(SEED, hand(), '--arithmetic', 'hand');
    expect(run.code, run.stderr).toBe(0);
    expect(report.entries.length).toBeGreaterThan(300);
    expect(report.entries.filter((e) => e.verdict !== 'right').map((e) => e.id)).toEqual([]);
    expect(report.score).toBe(report.max);
  });

  it('without it, the drift of rounding as one goes shows as wrong answers', async () => {
    const { run, report } = await checkJson(SEED, hand());
    expect(run.code).toBe(1);
    expect(report.entries.some((e) => e.verdict === 'wrong')).toBe(true);
  });

  it('on the notes: their z_3[2] = 0.799 (from their rounded h_2) and h_3[1] = 0.501 are right by hand', async () => {
    const { byId } = await checkJson(SEED, NOTES, '--arithmetic', 'hand');
    expect(byId.get('ex1.t3.z[2]')!.verdict).toBe('right');
    expect(byId.get('ex1.t3.h[1]')!.verdict).toBe('right');
    // slips stay slips
    expect(byId.get('ex1.t1.h[2]')!.verdict).toBe('wrong');
    expect(byId.get('ex1.t4.h[1]')!.verdict).toBe('wrong');
    expect(byId.get('ex1.loss')!.verdict).toBe('wrong');
  });
});

describe('answers files', () => {
  it('single entries (1-based), vectors and matrices; the entries of a quantity left out are "unanswered"', async () => {
    const answers = file('single.yaml', ['ex1.t1.h[2]: 0.310', 'grad.W_hh[1][3]: 0.0662', 'ex1.t1.z: [0.23, 0.32, 0.27]', 'ex2.t1.h: [~, 0.310, ~]'].join('\n') + '\n');
    const { run, report } = await checkJson(SEED, answers);
    expect(run.code, run.stderr).toBe(0);
    const ids = report.entries.map((e) => `${e.id}:${e.verdict}`);
    expect(ids).toContain('ex1.t1.h[1]:unanswered');
    expect(ids).toContain('ex1.t1.h[2]:right');
    expect(ids).toContain('ex1.t1.h[3]:unanswered');
    expect(ids).toContain('grad.W_hh[1][3]:right');
    expect(ids.filter((x) => x.startsWith('grad.W_hh'))).toHaveLength(9);
    expect(ids.filter((x) => x.startsWith('ex1.t1.z'))).toEqual(['ex1.t1.z[1]:right', 'ex1.t1.z[2]:right', 'ex1.t1.z[3]:right']);
    // a null leaves an entry unanswered
    expect(ids).toContain('ex2.t1.h[1]:unanswered');
    expect(ids).toContain('ex2.t1.h[2]:right');
    expect(report.max).toBe(6);
    expect(report.score).toBe(6);
  });

  it('a whole matrix; a wrong entry of it', async () => {
    const ans = file('matrix.yaml', 'ex1.t6.dW_xh: [[-0.0262, -0.0210, -0.0105], [-0.0102, -0.0082, -0.0041], [-0.0243, -0.0195, -0.0097]]\ngrad.W_hy: [[0.1, 0.1, 0.1]]\n');
    const { run, report } = await checkJson(SEED, ans);
    expect(run.code).toBe(1);
    expect(report.entries.filter((e) => e.id.startsWith('ex1.t6.dW_xh')).every((e) => e.verdict === 'right')).toBe(true);
    expect(report.entries.filter((e) => e.id.startsWith('grad.W_hy')).map((e) => e.verdict)).toEqual(['wrong', 'wrong', 'wrong']);
  });

  it('the JSON report has exactly the shape of DESIGN §8', async () => {
    const { report, run } = await checkJson(SEED, file('shape.yaml', 'ex1.t1.h[2]: 0.309\nex1.t2.z: [0.426, 0.709, 0.651]\nex1.t1.z[1]: "23/100"\n'));
    expect(Object.keys(report)).toEqual(['score', 'max', 'entries']);
    for (const e of report.entries) expect(Object.keys(e)).toEqual(['id', 'given', 'expected', 'verdict', 'first_error']);
    const by = new Map(report.entries.map((e) => [e.id, e]));
    expect(by.get('ex1.t1.z[1]')).toEqual({ id: 'ex1.t1.z[1]', given: '23/100', expected: '0.23', verdict: 'right', first_error: null });
    expect(by.get('ex1.t1.z[2]')).toEqual({ id: 'ex1.t1.z[2]', given: null, expected: '0.32', verdict: 'unanswered', first_error: null });
    expect(by.get('ex1.t1.h[2]')).toEqual({ id: 'ex1.t1.h[2]', given: '0.309', expected: '0.30950692…', verdict: 'wrong', first_error: 'ex1.t1.h[2]' });
    expect(by.get('ex1.t2.z[2]')).toMatchObject({ verdict: 'ecf', first_error: 'ex1.t1.h[2]' });
    // score: right + ½ · ECF over the answered entries
    expect(report.max).toBe(5);
    expect(report.score).toBe(3.5);
    expect(JSON.parse(run.stdout)).toEqual(report);
  });

  it('--ecf-credit sets what an ECF entry is worth', async () => {
    const ans = file('credit.yaml', 'ex1.t1.h[2]: 0.309\nex1.t2.z: [0.426, 0.709, 0.651]\n');
    expect((await checkJson(SEED, ans, '--ecf-credit', '1')).report.score).toBe(3);
    expect((await checkJson(SEED, ans, '--ecf-credit', '0')).report.score).toBe(2);
    expect((await checkJson(SEED, ans)).report.score).toBe(2.5);
  });

  it('the output of `solve --format json` is an answers file, and all right: exit 0', async () => {
    const exact = file('exact.json', solveToText({ problem: SEED, format: 'json', out: null, decimals: 4, detail: 'full', precision: 64, arithmetic: 'exact' }).text);
    const r = await cli('check', SEED, exact);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^Score (\d+) \/ \1: \1 right, 0 wrong\.$/);
  });
});

describe('bad input: exit 2, one line per problem, nothing on stdout', () => {
  const fails = async (text: string, lines = 1) => {
    const r = await cli('check', SEED, file('bad.yaml', text));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/^\s+at |internal error/m);
    const out = r.stderr.trimEnd().split('\n');
    expect(out, r.stderr).toHaveLength(lines);
    return out;
  };

  it('an unknown id names the nearest valid ids', async () => {
    const [line] = await fails('ex1.t7.h: [0.1, 0.2, 0.3]\n');
    expect(line).toMatch(/bad\.yaml:1:\d+: ex1\.t7\.h: unknown quantity id "ex1\.t7\.h"; nearest valid ids: ex1\.t\d\.h, ex1\.t\d\.h, ex1\.t\d\.h$/);
    const [swap] = await fails('grad.W_hx: [[0]]\n');
    expect(swap).toContain('nearest valid ids: grad.W_xh');
    const [far] = await fails('completely.unrelated.name: 1\n');
    expect(far).toMatch(/nearest valid ids: \S+, \S+, \S+$/);
  });

  it('two unknown ids: two lines', async () => {
    await fails('ex1.t7.h: 1\nex9.loss: 2\n', 2);
  });

  it('shapes, indexes, non-numbers, duplicates, an empty file', async () => {
    expect((await fails('ex1.t1.h: [0.1, 0.2]\n'))[0]).toContain('expected a vector of 3 (the shape of ex1.t1.h), got a list of 2');
    expect((await fails('ex1.t1.h[4]: 0.1\n'))[0]).toContain('index 4 is out of range: ex1.t1.h is a vector of 3 (indexes are 1-based)');
    expect((await fails('ex1.t1.h[0]: 0.1\n'))[0]).toContain('index 0 is out of range');
    expect((await fails('ex1.loss[1]: 0.1\n'))[0]).toContain('takes no index');
    expect((await fails('ex1.t1.h[1]: zero\n'))[0]).toContain('"zero" is not a number');
    expect((await fails('ex1.t1.h: [0.1, 0.2, 0.3]\nex1.t1.h[2]: 0.2\n'))[0]).toContain('ex1.t1.h[2] is answered twice');
    expect((await fails('# nothing\n'))[0]).toContain('expected a mapping of quantity ids');
    expect((await fails('{}\n'))[0]).toContain('no answers');
  });

  it('a missing answers file', async () => {
    const r = await cli('check', SEED, join(tmp, 'nope.yaml'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.yaml: no such file\n$/);
  });
});

describe('every fixture: its own exact solution checks all right', () => {
  for (const problem of ['fixtures/lstm-pytorch-small.yaml', 'fixtures/gru-textbook-small.yaml', 'fixtures/rnn-pytorch-small.yaml', 'fixtures/rnn-regression-inputs.yaml']) {
    it(problem, async () => {
      const answers = file('own.json', solveToText({ problem, format: 'json', out: null, decimals: 4, detail: 'full', precision: 64, arithmetic: 'exact' }).text);
      const { run, report } = await checkJson(problem, answers, '--rtol', '1e-12');
      expect(run.code, run.stderr).toBe(0);
      expect(report.score).toBe(report.max);
      expect(report.max).toBeGreaterThan(100);
    });
  }
});

describe('odd answers', () => {
  it('a ŷ outside (0, 1) is wrong, and what follows from it is judged from it, without failing', async () => {
    const { run, byId } = await checkJson(SEED, file('yhat.yaml', 'ex1.t6.yhat: 1.5\nex1.loss: 0.378\nex1.t6.ds: 0.5\n'));
    expect(run.code, run.stderr).toBe(1);
    expect(byId.get('ex1.t6.yhat[1]')!.verdict).toBe('wrong');
    expect(byId.get('ex1.loss')!.verdict).toBe('right');
    // δs = ŷ − y = 1.5 − 1 from the student's own ŷ
    expect(byId.get('ex1.t6.ds[1]')).toMatchObject({ verdict: 'ecf', first_error: 'ex1.t6.yhat[1]' });
  });

  it('`unrolled --help` lists check', async () => {
    const r = await cli('--help');
    expect(r.stdout).toMatch(/unrolled check <problem> <answers>/);
  });
});
