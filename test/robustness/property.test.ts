// Property-based tests (fast-check). Random valid problems of every cell, convention, head
// and loss: solving never throws, every quantity id of DESIGN §7 is there, and a
// finite-difference check at 64 digits agrees with BPTT. Random mutations of valid files:
// the command line answers with exit 0, or exit 2 and one line per problem naming the file —
// never a stack trace, never an internal error, never a partial file.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { Numeric } from '../../src/numeric/index.js';
import { parseSource } from '../../src/problem/source.js';
import { validate } from '../../src/problem/validate.js';
import { solve } from '../../src/engine/solve.js';
import { cells, headParams } from '../../src/engine/cells/index.js';
import type { Problem } from '../../src/problem/types.js';
import type { Mat, Value, Vec } from '../../src/trace/types.js';
import { cli } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'unrolled-prop-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** a "hand" number: up to two decimals in [−1.5, 1.5] */
const num = fc.integer({ min: -150, max: 150 }).map((k) => k / 100);
const vecOf = (n: number) => fc.array(num, { minLength: n, maxLength: n });
const matOf = (r: number, c: number) => fc.array(vecOf(c), { minLength: r, maxLength: r });
const WORDS = ['a', 'b', 'c'];
const HEADS = [
  { activation: 'sigmoid', loss: 'bce' },
  { activation: 'softmax', loss: 'cross_entropy' },
  { activation: 'identity', loss: 'mse' },
  { activation: 'sigmoid', loss: 'mse' },
] as const;

/** A random valid problem file, as the object that is written as YAML. */
const problemArb = fc
  .record({
    cell: fc.constantFrom('rnn', 'lstm', 'gru'),
    convention: fc.constantFrom('textbook', 'pytorch'),
    H: fc.integer({ min: 1, max: 2 }),
    D: fc.integer({ min: 1, max: 2 }),
    head: fc.constantFrom(...HEADS),
    O: fc.integer({ min: 1, max: 2 }),
    outputAt: fc.constantFrom('last', 'every'),
    lengths: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 2 }),
    text: fc.boolean(),
    h0: fc.boolean(),
    mean: fc.boolean(),
    lr: fc.boolean(),
    seed: fc.integer(),
  })
  .chain((c) => {
    const O = c.head.loss === 'cross_entropy' ? c.O + 1 : c.O;
    const cell = cells[c.cell as 'rnn'][c.convention as 'textbook'];
    const specs = [...cell.params(c.H, c.D), ...headParams(O, c.H)];
    const params = fc.tuple(...specs.map((s) => (s.shape.length === 2 ? matOf(s.shape[0], s.shape[1]!) : vecOf(s.shape[0]))));
    const target: fc.Arbitrary<number | number[]> = c.head.loss === 'cross_entropy' ? fc.integer({ min: 0, max: O - 1 }) : c.head.loss === 'bce' ? (O === 1 ? fc.constantFrom(0, 1, 0.25) : fc.array(fc.constantFrom(0, 1, 0.5), { minLength: O, maxLength: O })) : O === 1 ? num : vecOf(O);
    const example = (T: number) =>
      fc.record({
        tokens: fc.array(fc.constantFrom(...WORDS), { minLength: T, maxLength: T }),
        inputs: fc.array(vecOf(c.D), { minLength: T, maxLength: T }),
        targets: fc.array(target, { minLength: T, maxLength: T }),
      });
    return fc.record({
      c: fc.constant({ ...c, O }),
      names: fc.constant(specs.map((s) => s.name)),
      params,
      emb: fc.array(vecOf(c.D), { minLength: WORDS.length, maxLength: WORDS.length }),
      examples: fc.tuple(...c.lengths.map(example)),
      h0: vecOf(c.H),
      c0: vecOf(c.H),
    });
  })
  .map(({ c, names, params, emb, examples, h0, c0 }) => {
    const doc: Record<string, unknown> = {
      model: { cell: c.cell, hidden_size: c.H, convention: c.convention },
      ...(c.text ? { embeddings: Object.fromEntries(WORDS.map((w, i) => [w, emb[i]])) } : {}),
      params: Object.fromEntries(names.map((n, i) => [n, params[i]])),
      head: { activation: c.head.activation, loss: c.head.loss, output_at: c.outputAt },
      data: examples.map((ex) => ({
        ...(c.text ? { text: ex.tokens.join(' ') } : { inputs: ex.inputs }),
        target: c.outputAt === 'every' ? ex.targets : ex.targets[ex.targets.length - 1],
      })),
      ...(c.h0 ? { initial_state: c.cell === 'lstm' ? { h0, c0 } : { h0 } } : {}),
      training: { reduction: c.mean ? 'mean' : 'sum', ...(c.lr ? { learning_rate: 0.1 } : {}) },
    };
    return { c, text: stringify(doc) };
  });

const load = (text: string, precision: number): Problem => validate(parseSource(text, 'p.yaml'), 'p.yaml', Numeric.at(precision));

/** The ids DESIGN §7 promises for a problem. */
function expectedIds(p: Problem): string[] {
  const cell = cells[p.cell][p.convention];
  const fwd = { rnn: ['z', 'h'], lstm: ['f_pre', 'i_pre', 'g_pre', 'o_pre', 'f', 'i', 'g', 'o', 'c', 'tanh_c', 'h'], gru: ['r_pre', 'z_pre', 'n_pre', 'r', 'z', 'n', 'h', ...(p.convention === 'pytorch' ? ['hn'] : [])] }[p.cell];
  const names = [...cell.params(p.hidden, p.inputDim), ...headParams(p.outputDim, p.hidden)].map((s) => s.name);
  const ids = ['loss', ...names.map((n) => `grad.${n}`)];
  if (p.training.learningRate) ids.push(...names.map((n) => `update.${n}`));
  p.examples.forEach((ex, e) => {
    const s = `ex${e + 1}`;
    ids.push(`${s}.loss`, ...names.map((n) => `${s}.d${n}`));
    for (let t = 1; t <= ex.inputs.length; t++) {
      for (const f of ['x', ...fwd]) ids.push(`${s}.t${t}.${f}`, `${s}.t${t}.d${f}`);
      ids.push(...names.map((n) => `${s}.t${t}.d${n}`));
    }
    for (const y of ex.targets) ids.push(`${s}.t${y.t}.s`, `${s}.t${y.t}.yhat`, `${s}.t${y.t}.loss`, `${s}.t${y.t}.ds`);
    for (const tok of new Set(ex.tokens ?? [])) ids.push(`${s}.demb.${tok}`, `grad.emb.${tok}`);
  });
  return ids;
}

const flat = (v: Value): string[] => (v.kind === 'scalar' ? [v.x.v.toString()] : v.kind === 'vec' ? v.x.map((x) => x.v.toString()) : v.x.flat().map((x) => x.v.toString()));

describe('random valid problems', () => {
  it('solve without throwing, with every quantity id of DESIGN §7', () => {
    fc.assert(
      fc.property(problemArb, ({ text }) => {
        const p = load(text, 30);
        const tr = solve(p, { precision: 30 });
        const missing = expectedIds(p).filter((id) => !tr.quantities.has(id));
        expect(missing, text).toEqual([]);
        for (const [id, v] of tr.quantities) for (const x of flat(v)) expect(x, id).toMatch(/^-?\d/);
      }),
      { numRuns: 80, seed: 20261121 },
    );
  });

  it('agree with a 64-digit finite difference', () => {
    const n = Numeric.at(64);
    const EPS = n.parse('1e-25');
    fc.assert(
      fc.property(problemArb, fc.nat(), ({ text }, pick) => {
        const p = load(text, 64);
        const names = [...p.params.keys()];
        const name = names[pick % names.length]!;
        const value = p.params.get(name)!;
        const isMat = Array.isArray(value[0]);
        const size = isMat ? (value as Mat).length * (value as Mat)[0]!.length : (value as Vec).length;
        const k = Math.floor(pick / names.length) % size;
        const shifted = (d: typeof EPS) => {
          const params = new Map(p.params);
          if (isMat) {
            const cols = (value as Mat)[0]!.length;
            params.set(name, (value as Mat).map((r, i) => r.map((x, j) => (i * cols + j === k ? n.add(x, d) : x))));
          } else params.set(name, (value as Vec).map((x, i) => (i === k ? n.add(x, d) : x)));
          const tr = solve({ ...p, params, training: { ...p.training, learningRate: null } }, { precision: 64 });
          return (tr.quantities.get('loss') as { x: ReturnType<typeof n.parse> }).x;
        };
        const fd = n.div(n.sub(shifted(EPS), shifted(n.neg(EPS))), n.parse('2e-25'));
        const g = solve(p, { precision: 64 }).quantities.get(`grad.${name}`)!;
        const analytic = g.kind === 'mat' ? g.x.flat()[k]! : g.kind === 'vec' ? g.x[k]! : g.x;
        const err = fd.v.minus(analytic.v).abs();
        expect(err.lte(analytic.v.abs().times('1e-20').plus('1e-30')), `${name}[${k}]: FD ${fd.v} vs BPTT ${analytic.v}\n${text}`).toBe(true);
      }),
      { numRuns: 25, seed: 7 },
    );
  });
});

// ---------------------------------------------------------------------------------------
// mutations

const JUNK = ['abc', 'NaN', '.inf', '1e99999', '0x1F', '"1/0"', '[]', '{}', '~', 'true', '-', '&a', '*a', '!!binary x', '"', '[[', '1/3', '-0', '1e-999'];
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap-lines' as const), at: fc.nat(), to: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert-char' as const), at: fc.nat(), ch: fc.constantFrom(...':[]{}-,#&*!|>\'"%@`\t\n ') }),
  fc.record({ kind: fc.constant('replace-number' as const), at: fc.nat(), junk: fc.constantFrom(...JUNK) }),
  fc.record({ kind: fc.constant('replace-word' as const), at: fc.nat(), junk: fc.constantFrom('rnn', 'lstm', 'softmax', 'every', 'W_xh', 'text', 'target', 'hidden_size: 0', 'hidden_size: 1000000') }),
);

function mutate(text: string, m: { kind: string; at: number; to?: number; ch?: string; junk?: string }): string {
  const lines = text.split('\n');
  const i = m.at % lines.length;
  switch (m.kind) {
    case 'delete-line':
      lines.splice(i, 1);
      return lines.join('\n');
    case 'duplicate-line':
      lines.splice(i, 0, lines[i]!);
      return lines.join('\n');
    case 'swap-lines': {
      const j = (m.to ?? 0) % lines.length;
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return lines.join('\n');
    }
    case 'truncate':
      return text.slice(0, m.at % (text.length + 1));
    case 'insert-char': {
      const k = m.at % (text.length + 1);
      return text.slice(0, k) + m.ch + text.slice(k);
    }
    case 'replace-number': {
      const nums = [...text.matchAll(/-?\d+(\.\d+)?/g)];
      if (!nums.length) return text;
      const hit = nums[m.at % nums.length]!;
      return text.slice(0, hit.index) + m.junk + text.slice(hit.index! + hit[0].length);
    }
    default: {
      const words = [...text.matchAll(/[A-Za-z_]+(: \d+)?/g)];
      const hit = words[m.at % words.length]!;
      return text.slice(0, hit.index) + m.junk + text.slice(hit.index! + hit[0].length);
    }
  }
}

describe('random mutations of valid files', () => {
  it('give exit 0, or exit 2 with one line per problem naming the file, and no partial output', async () => {
    let k = 0;
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(problemArb, mutation, async ({ text }, m) => {
        const dir = join(tmp, `m${++k}`);
        const file = join(tmp, `m${k}.yaml`);
        const mutated = mutate(text, m);
        writeFileSync(file, mutated);
        const r = await cli('solve', file, '--out', dir, '--format', 'md');
        const why = `${m.kind}\n${mutated}\n---\n${r.stderr}`;
        expect([0, 2], why).toContain(r.code);
        expect(r.stderr, why).not.toMatch(/internal error|\n\s+at |TypeError|RangeError/);
        if (r.code === 2) {
          rejected++;
          const lines = r.stderr.trimEnd().split('\n');
          for (const l of lines) expect(l.startsWith(`${file}:`), why).toBe(true);
          expect(() => readdirSync(dir), why).toThrow(); // nothing written, not even the directory
        } else {
          expect(readdirSync(dir)).toEqual([`m${k}.md`]);
        }
      }),
      { numRuns: 300, seed: 42 },
    );
    expect(rejected).toBeGreaterThan(30); // the mutations do break files
  }, 120_000);
});
