// The core of `unrolled check`: load the problem and the answers, judge, report. It never sees yargs.
import { basename } from 'node:path';
import { Numeric, NumberSyntaxError, type Num } from '../numeric/index.js';
import { loadProblem } from '../problem/validate.js';
import { checkInt, InputError } from '../problem/errors.js';
import { LossDomainError } from '../engine/ops/loss.js';
import { precisionNote, solveVerified } from '../engine/verified.js';
import { readAnswers } from '../check/answers.js';
import { judge, type Tolerance } from '../check/judge.js';
import { renderJson, renderMarkdown, renderText, summarize, type ReportFormat, type Summary } from '../check/report.js';
import type { IO } from '../main.js';
import { checkSize, fitsBeside, type Output } from './size.js';

export interface CheckRequest {
  problem: string;
  answers: string;
  format: ReportFormat;
  /** right iff |given − exact| ≤ ½·10⁻ᵏ (default 3); with hand arithmetic, also the rounding */
  decimals: number | null;
  /** absolute tolerance (decimal text); with `rtol`, right iff |given − exact| ≤ max(T, R·|exact|) */
  tolerance: string | null;
  rtol: string | null;
  arithmetic: 'exact' | 'hand';
  /** credit for an answer that follows from an earlier error (default 0.5) */
  ecfCredit: number;
  precision: number;
}

export const DEFAULT_DECIMALS = 3;

function nonNegative(n: Numeric, flag: string, text: string): Num {
  try {
    const x = n.parse(text);
    if (x.v.isNeg()) throw new NumberSyntaxError(`expected a number ≥ 0, got ${text}`);
    return x;
  } catch (e) {
    if (e instanceof NumberSyntaxError) throw InputError.one(`--${flag}`, null, e.message);
    throw e;
  }
}

/**
 * Judge and report; with a note for stderr when --precision was not enough for every value
 * shown (src/engine/verified.ts): the expected values are those of the verified solution.
 */
export function checkToText(req: CheckRequest): { text: string; summary: Summary; note: string | null } {
  const decimals = req.decimals ?? DEFAULT_DECIMALS;
  checkInt('decimals', decimals, [0, 30]);
  checkInt('precision', req.precision, [Math.max(20, decimals + 10), 1000]);
  if (!(req.ecfCredit >= 0 && req.ecfCredit <= 1)) {
    throw InputError.one('--ecf-credit', null, `expected a number from 0 to 1, got ${Number.isNaN(req.ecfCredit) ? 'something that is not a number' : req.ecfCredit}`);
  }
  const n = Numeric.at(req.precision);
  const tolerance: Tolerance =
    req.tolerance === null && req.rtol === null
      ? { kind: 'decimals', decimals }
      : {
          kind: 'abs',
          abs: req.tolerance === null ? null : nonNegative(n, 'tolerance', req.tolerance),
          rel: req.rtol === null ? null : nonNegative(n, 'rtol', req.rtol),
        };
  const problem = loadProblem(req.problem, n);
  // the exact solution and its replay with the answers, with --arithmetic hand also the one
  // by hand: two or three at once (the report, of the answers only, adds little)
  const size: Output = { format: null, detail: 'full', decimals, precision: req.precision, traces: req.arithmetic === 'hand' ? 3 : 2 };
  checkSize(req.problem, problem, size);
  const problemAt = (precision: number) => (precision === req.precision ? problem : loadProblem(req.problem, Numeric.at(precision)));
  let verified;
  try {
    verified = solveVerified(problemAt, { precision: req.precision, decimals, fits: fitsBeside(problem, size) });
  } catch (e) {
    if (e instanceof LossDomainError) throw InputError.one(req.problem, 'head.loss', e.message);
    throw e;
  }
  const { trace, precision } = verified;
  // the answers' ids are validated against the exact solution's; the replays with the
  // answers run at the precision the solution was verified at
  const answers = readAnswers(req.answers, trace.quantities, n);
  const judgement = judge(verified.problem, answers, Numeric.at(precision), { precision, tolerance, hand: req.arithmetic === 'hand' ? decimals : null }, trace);
  const summary = summarize(judgement.entries, req.ecfCredit);
  const title = `${basename(req.answers)} against ${basename(req.problem)}${req.arithmetic === 'hand' ? ` (or by hand, rounding to ${decimals} decimals at every step)` : ''}`;
  const text =
    req.format === 'json'
      ? renderJson(judgement.entries, summary)
      : req.format === 'md'
        ? renderMarkdown(judgement.entries, summary, tolerance, title)
        : renderText(judgement.entries, summary, tolerance, title);
  return { text, summary, note: precisionNote(verified, req.precision) };
}

/** Writes the report; returns the exit code: 0 every answer right, 1 some wrong or ECF. */
export function runCheck(req: CheckRequest, io: IO): number {
  const { text, summary, note } = checkToText(req);
  if (note) io.stderr(note);
  io.stdout(text);
  return summary.wrong + summary.ecf > 0 ? 1 : 0;
}
