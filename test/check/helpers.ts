// Shared by the check tests: running the CLI in-process, and engineering answer files
// with the engine itself (a student who makes one slip and then computes correctly from it).
import { Numeric, type Num } from '../../src/numeric/index.js';
import { loadProblem } from '../../src/problem/validate.js';
import { solve } from '../../src/engine/solve.js';
import type { Value } from '../../src/trace/types.js';

import { cli, type Run } from '../helpers/cli.js';

export { cli, type Run };

export interface Report {
  score: number;
  max: number;
  entries: { id: string; given: string | null; expected: string; verdict: 'right' | 'wrong' | 'ecf' | 'unanswered'; first_error: string | null }[];
}

export async function checkJson(...args: string[]): Promise<{ run: Run; report: Report; byId: Map<string, Report['entries'][number]> }> {
  const run = await cli('check', ...args, '--format', 'json');
  const report = JSON.parse(run.stdout || '{"entries":[]}') as Report;
  return { run, report, byId: new Map(report.entries.map((e) => [e.id, e])) };
}

const text = (v: Value, dp: number): unknown => {
  const s = (x: { v: { toFixed(dp: number, rm: number): string } }) => Number(x.v.toFixed(dp, 4));
  if (v.kind === 'scalar') return s(v.x);
  if (v.kind === 'vec') return v.x.map(s);
  return v.x.map((r) => r.map(s));
};

/**
 * Answers for `ids` from a student who writes `slip` for one entry and computes everything
 * else exactly from their own values, rounded to `dp` decimals as they write them down.
 * Returns a JSON answers file (text).
 */
export function engineered(problemFile: string, ids: string[], slip: { id: string; idx: number[]; value: string }, dp = 4): string {
  const n = Numeric.at(64);
  const problem = loadProblem(problemFile, n);
  const wanted = new Set([...ids, slip.id]);
  const written = new Map<string, Value>();
  solve(problem, {
    precision: 64,
    substitute: (id, v) => {
      if (!wanted.has(id)) return v;
      const r = (x: Num) => n.roundTo(x, dp);
      let out: Value = v.kind === 'scalar' ? { kind: 'scalar', x: r(v.x) } : v.kind === 'vec' ? { kind: 'vec', x: v.x.map(r) } : { kind: 'mat', x: v.x.map((row) => row.map(r)) };
      if (id === slip.id) {
        const x = n.parse(slip.value);
        if (out.kind === 'scalar') out = { kind: 'scalar', x };
        else if (out.kind === 'vec') out = { kind: 'vec', x: out.x.map((y, i) => (i === slip.idx[0] ? x : y)) };
        else out = { kind: 'mat', x: out.x.map((row, i) => row.map((y, j) => (i === slip.idx[0] && j === slip.idx[1] ? x : y))) };
      }
      written.set(id, out);
      return out;
    },
  });
  const answers: Record<string, unknown> = {};
  for (const id of wanted) answers[id] = text(written.get(id)!, dp);
  return JSON.stringify(answers, null, 1) + '\n';
}
