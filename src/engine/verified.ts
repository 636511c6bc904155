// A solve whose every number shown is right (DESIGN §3).
//
// At a working precision of P digits every value carries an absolute error of about
// 10^-P times the size of the numbers it was computed from. Shown at `--decimals` d places
// that is nothing, except for a value so small that it is shown in scientific notation, or a
// zero that is not exactly zero: where nearly equal numbers cancel (1 − σ(x) for a
// saturated σ, the derivative of a saturated tanh), such a value can keep no correct digit
// at all. A saturated LSTM at 64 digits showed ∂L/∂g_pre ≈ 0.0000 where it is
// −2.359 × 10^-105, and at 32 digits ∂L/∂x ≈ −2.493 × 10^-60 where it is −3.740 × 10^-60.
//
// So the named quantities that could be such a value (an inexact zero, or smaller than the
// largest quantity by more than P − d − 8 orders of magnitude: where P digits no longer
// leave d + 8 correct ones) are solved again at twice the precision. If every one of them is
// shown the same, the solution stands; otherwise the higher precision's solution is taken,
// and its own doubtful values checked the same way. Most problems have no such value, and
// are solved once.
import { show, type Num } from '../numeric/index.js';
import type { Problem } from '../problem/types.js';
import { entriesOf, type Trace } from '../trace/types.js';
import { solve } from './solve.js';

/**
 * The highest precision a solve is taken to: 4 × --precision or 256 digits, whichever is
 * more (the saturated LSTM needs 128 from 64, and 160 from 20), and no more than
 * --precision allows. A value that is 0 but computed as rounding noise (10^-64 at 64
 * digits, 10^-128 at 128) would otherwise double it on and on.
 */
export const MAX_PRECISION = 1000;
const highest = (asked: number) => Math.min(Math.max(4 * asked, 256), MAX_PRECISION);

export interface Verified {
  trace: Trace;
  /** the problem `trace` solves, read at its precision */
  problem: Problem;
  /** the precision of `trace`: --precision, or more when its digits were not enough */
  precision: number;
  /** how many values --precision would have shown differently from `trace` */
  wrongCount: number;
  /** the first of them: as --precision showed it, and as `trace` shows it */
  firstWrong: { id: string; shown: string; right: string } | null;
  /** doubtful values that could not be checked (no higher precision within the limits or `fits`) */
  unchecked: string[];
}

/** one number of a named quantity: `ex1.t2.dg_pre[2]`, `loss` */
interface Entry {
  label: string;
  id: string;
  index: number;
  shown: string;
}

/** decimal.js's exponent: |x| in [10^e, 10^(e+1)) */
const exponentOf = (x: Num): number => (x.v as unknown as { e: number }).e;

/** The named values of `trace` whose display at `decimals` places its precision may not get right. */
function doubtful(trace: Trace, decimals: number): Entry[] {
  let top = 0;
  for (const v of trace.quantities.values()) for (const x of entriesOf(v)) if (!x.v.isZero()) top = Math.max(top, exponentOf(x));
  const floor = top - (trace.precision - decimals - 8);
  const out: Entry[] = [];
  for (const [id, v] of trace.quantities) {
    entriesOf(v).forEach((x, index) => {
      if (x.exact || x.rounded) return;
      if (x.v.isZero() || exponentOf(x) < floor) out.push({ label: v.kind === 'scalar' ? id : `${id}[${index + 1}]`, id, index, shown: show(x, decimals).text });
    });
  }
  return out;
}

const shownIn = (trace: Trace, e: Entry, decimals: number): string | null => {
  const v = trace.quantities.get(e.id);
  const x = v ? entriesOf(v)[e.index] : undefined;
  return x ? show(x, decimals).text : null;
};

/**
 * Solve at `precision`, and at higher precisions while a value shown at `decimals` places
 * could be wrong (see above). `problemAt(p)` is the problem read at p digits (a fraction such
 * as "1/3" is rounded to them); `fits(p)` says whether a solve at p digits fits in this Node
 * (src/run/size.ts). Hand arithmetic (`hand`) rounds every value to `decimals` places and is
 * solved once.
 */
export function solveVerified(problemAt: (precision: number) => Problem, opts: { precision: number; decimals: number; hand?: number | null; fits?: (precision: number) => boolean }): Verified {
  const d = opts.decimals;
  let problem = problemAt(opts.precision);
  const first = solve(problem, { precision: opts.precision, hand: opts.hand ?? null });
  let trace = first;
  let unchecked: string[] = [];
  const suspects = opts.hand != null ? [] : doubtful(first, d);
  for (let entries = suspects; entries.length > 0; entries = doubtful(trace, d)) {
    const higher = Math.min(2 * trace.precision, highest(opts.precision));
    if (higher === trace.precision || (opts.fits && !opts.fits(higher))) {
      unchecked = entries.map((e) => e.label);
      break;
    }
    const read = problemAt(higher);
    const check = solve(read, { precision: higher });
    if (entries.every((e) => shownIn(check, e, d) === e.shown)) break;
    [trace, problem] = [check, read];
  }
  const wrong = trace === first ? [] : suspects.filter((e) => shownIn(trace, e, d) !== e.shown);
  const firstWrong = wrong[0] ? { id: wrong[0].label, shown: wrong[0].shown, right: shownIn(trace, wrong[0], d)! } : null;
  return { trace, problem, precision: trace.precision, wrongCount: wrong.length, firstWrong, unchecked };
}

/** The note a command prints when --precision was not enough (null when it was); `who`: whose solution (a handout's `variant 3`). */
export function precisionNote(v: Verified, asked: number, who: string | null = null): string | null {
  const notes: string[] = [];
  const w = v.firstWrong;
  if (w) {
    const values = v.wrongCount === 1 ? 'a value' : `${v.wrongCount} values`;
    notes.push(`at --precision ${asked}, ${values} would be shown wrong, their digits lost where nearly equal numbers cancel (${w.id}: ${w.shown} instead of ${w.right}${v.wrongCount > 1 ? ', …' : ''}); solved at ${v.precision} significant digits instead, where every value shown is right`);
  }
  if (v.unchecked.length > 0) {
    notes.push(`${v.unchecked.slice(0, 3).join(', ')}${v.unchecked.length > 3 ? ` and ${v.unchecked.length - 3} more` : ''} may have lost digits where nearly equal numbers cancel, and could not be checked at a higher precision than ${v.precision}`);
  }
  return notes.length ? notes.map((n) => `note: ${who ? `${who}: ` : ''}${n}\n`).join('') : null;
}
